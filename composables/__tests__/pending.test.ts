import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { usePending } from '~/composables/pending'
import { matchOutbox } from '~/utils/actions/pending'
import { db } from '~/utils/db'
import { enqueue } from '~/utils/db/outbox'

describe('usePending', () => {
  beforeEach(async () => {
    await db.outbox.clear()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('follows the outbox, and retries or dismisses a failed row', async () => {
    const scope = effectScope()
    const pending = scope.run(() => usePending(matchOutbox(['conversation.assign'], 'conversationId', 'k1')))!
    await vi.waitFor(async () => {
      await flushPromises()
      expect(pending.state.value).toBeNull()
    })

    const queued = await enqueue(db, 'conversation.assign', { conversationId: 'k1', assigneeId: 'a1' })
    await vi.waitFor(() => expect(pending.state.value).toBe('queued'))

    await db.outbox.update(queued.seq, {
      state: 'failed',
      error: { code: 'agent_inactive', message: 'inactive' },
    })
    await vi.waitFor(() => expect(pending.error.value).toEqual({ code: 'agent_inactive', message: 'inactive' }))
    expect(pending.state.value).toBe('failed')

    await pending.retry()
    expect((await db.outbox.get(queued.seq))?.state).toBe('queued')
    expect((await db.outbox.get(queued.seq))?.error).toBeUndefined()
    await vi.waitFor(() => expect(pending.state.value).toBe('queued'))

    await db.outbox.update(queued.seq, {
      state: 'failed',
      error: { code: 'forbidden', message: 'no' },
    })
    await vi.waitFor(() => expect(pending.state.value).toBe('failed'))
    await pending.discard()
    expect(await db.outbox.count()).toBe(0)
    await vi.waitFor(() => expect(pending.status.value).toBeNull())
    scope.stop()
  })

  it('dismisses only failed rows', async () => {
    const scope = effectScope()
    const pending = scope.run(() => usePending(matchOutbox(['conversation.assign'], 'conversationId', 'k1')))!
    await enqueue(db, 'conversation.assign', { conversationId: 'k1', assigneeId: 'a1' })
    await vi.waitFor(() => expect(pending.state.value).toBe('queued'))
    await pending.discard()
    expect(await db.outbox.count()).toBe(1)
    scope.stop()
  })
})
