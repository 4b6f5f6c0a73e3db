import type { Message } from '~/utils/db'
import type { SendOutboxEntry } from '~/utils/messages/rows'
import { describe, expect, it } from 'vitest'
import { agent, message } from '~/components/conversation/message/__tests__/fixtures'
import { buildMessageRows } from '~/utils/messages/rows'

function ids(rows: { message: Message }[]): string[] {
  return rows.map(row => row.message.id)
}

describe('buildMessageRows', () => {
  it('puts reactions on the message they react to and keeps an orphan one as a line', () => {
    const target = message('t', { direction: 'out', senderId: 'a1', reaction: '❤️' })
    const rows = buildMessageRows({
      messages: [
        target,
        // the agent's reaction, as the server stores it: target's wamid and id
        message('r1', {
          type: 'reaction',
          direction: 'out',
          content: { messageId: 'wamid.t', targetId: 't', emoji: '👍' },
        }),
        message('r2', {
          type: 'reaction',
          content: { messageId: 'wamid.gone', emoji: '😂' },
        }),
      ],
      outbox: [],
      agents: [
        agent('a1', 'Ana Pop'),
      ],
      quoted: [],
    })
    expect(ids(rows)).toEqual(['t', 'r2'])
    expect(rows[0]).toMatchObject({ agentReaction: '👍', senderName: 'Ana Pop' })
    expect(rows[0]!.message.reaction).toBe('❤️')
  })

  it('an agent reaction removed later (empty emoji) shows none', () => {
    const rows = buildMessageRows({
      messages: [
        message('t'),
        message('r1', {
          type: 'reaction',
          direction: 'out',
          content: { messageId: 'wamid.t', emoji: '👍' },
        }),
        message('r2', {
          type: 'reaction',
          direction: 'out',
          content: { messageId: 'wamid.t', emoji: null },
        }),
      ],
      outbox: [],
      agents: [],
      quoted: [],
    })
    expect(ids(rows)).toEqual(['t'])
    expect(rows[0]!.agentReaction).toBeNull()
  })

  it('finds a quoted message by wamid (inbound reply) or local id (agent reply), in or outside the window', () => {
    const old = message('old', { direction: 'out', senderId: 'a2' })
    const rows = buildMessageRows({
      messages: [
        message('a'),
        message('b', {
          context: { from: '40722', id: 'wamid.a' },
        }),
        message('c', {
          direction: 'out',
          context: { id: 'wamid.old', messageId: 'old' },
        }),
        message('d', {
          context: { id: 'wamid.unknown' },
        }),
      ],
      outbox: [],
      agents: [
        agent('a2', 'Bogdan'),
      ],
      quoted: [old],
    })
    expect(rows.map(row => row.quoted?.id ?? null)).toEqual([null, 'a', 'old', null])
    expect(rows[2]!.quotedSenderName).toBe('Bogdan')
  })

  it('attaches the outbox row to the local copy it sends', () => {
    const local = message('client-1', {
      clientId: 'client-1',
      direction: 'out',
      status: 'pending',
      wamid: null,
    })
    const entry = {
      seq: 3,
      id: 'mut',
      type: 'message.send',
      args: {
        conversationId: 'k1',
        message: { clientId: 'client-1', type: 'text', text: 'x' },
      },
      createdAt: 1,
      state: 'failed',
    } as SendOutboxEntry
    const rows = buildMessageRows({
      messages: [
        local,
        message('m'),
      ],
      outbox: [entry],
      agents: [],
      quoted: [],
    })
    expect(rows[0]!.outbox).toBe(entry)
    expect(rows[1]!.outbox).toBeNull()
  })
})
