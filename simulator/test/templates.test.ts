import type { Harness } from './helpers.ts'
import { afterEach, describe, expect, it } from 'vitest'
import { ACCESS_TOKEN, graphCall, startHarness, WABA_ID } from './helpers.ts'

let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

const LIST_PATH = `/v25.0/${WABA_ID}/message_templates`

describe('template listing', () => {
  it('pages the default library at 25 and follows next links to the end', async () => {
    harness = await startHarness()
    const first = await harness.graph('GET', LIST_PATH)
    expect(first.status).toBe(200)
    expect(first.json.data).toHaveLength(25)
    expect(first.json.paging.cursors).toEqual({
      before: expect.any(String),
      after: expect.any(String),
    })
    expect(first.json.paging.previous).toBeUndefined()
    const next = new URL(first.json.paging.next)
    expect(next.origin).toBe(harness.sim.url)
    expect(next.pathname).toBe(LIST_PATH)
    expect(next.searchParams.get('after')).toBe(first.json.paging.cursors.after)
    expect(next.searchParams.get('limit')).toBe('25')
    // Graph puts the token into paging links; following them needs no header.
    expect(next.searchParams.get('access_token')).toBe(ACCESS_TOKEN)

    const second = await graphCall(harness.sim.url, 'GET', first.json.paging.next, undefined, { token: null })
    expect(second.status).toBe(200)
    expect(second.json.paging.next).toBeUndefined()
    expect(second.json.paging.previous).toBeDefined()
    const all = [
      ...first.json.data,
      ...second.json.data,
    ]
    expect(all.length).toBe(harness.sim.templates.length)
    expect(all.length).toBeGreaterThanOrEqual(30)
    expect(new Set(all.map(t => t.id)).size).toBe(all.length)

    const back = await graphCall(harness.sim.url, 'GET', second.json.paging.previous)
    expect(back.json.data.map((t: any) => t.id)).toEqual(first.json.data.map((t: any) => t.id))
  })

  it('lists every status and both languages, with the default fields', async () => {
    harness = await startHarness()
    const { json } = await harness.graph('GET', `${LIST_PATH}?limit=100`)
    expect(new Set(json.data.map((t: any) => t.status))).toEqual(new Set([
      'APPROVED',
      'PENDING',
      'REJECTED',
      'PAUSED',
      'DISABLED',
    ]))
    expect(new Set(json.data.map((t: any) => t.language))).toEqual(new Set(['en_US', 'en', 'ro']))
    const order = json.data.find((t: any) => t.name === 'order_update' && t.language === 'ro')
    expect(Object.keys(order).sort()).toEqual([
      'category',
      'components',
      'id',
      'language',
      'name',
      'parameter_format',
      'status',
    ])
    expect(order.components[0]).toMatchObject({ type: 'HEADER', format: 'IMAGE' })
    expect(order.components[1].text).toBe('Bună, {{1}}! Comanda ta {{2}} este pe drum și ar trebui să ajungă pe {{3}}.')
    expect(order.components.at(-1).buttons.map((b: any) => b.type)).toEqual(['QUICK_REPLY', 'QUICK_REPLY'])
    const named = json.data.find((t: any) => t.name === 'appointment_reminder')
    expect(named.parameter_format).toBe('NAMED')
  })

  it('filters by status, name and fields', async () => {
    harness = await startHarness()
    const approved = await harness.graph('GET', `${LIST_PATH}?status=APPROVED&limit=100`)
    expect(approved.json.data.length).toBeGreaterThan(15)
    expect(approved.json.data.every((t: any) => t.status === 'APPROVED')).toBe(true)
    const byName = await harness.graph('GET', `${LIST_PATH}?name=order_update&fields=name,language,status`)
    expect(byName.json.data).toEqual([
      {
        name: 'order_update',
        language: 'en',
        status: 'APPROVED',
        id: expect.any(String),
      },
      {
        name: 'order_update',
        language: 'ro',
        status: 'APPROVED',
        id: expect.any(String),
      },
    ])
    const bad = await harness.graph('GET', `${LIST_PATH}?fields=name,colour`)
    expect(bad.status).toBe(400)
    expect(bad.json.error.code).toBe(100)
    expect(bad.json.error.message).toContain('colour')
  })

  it('pages with small limits and keeps filters in the next link', async () => {
    harness = await startHarness()
    const seen: string[] = []
    let url: string | undefined = `${LIST_PATH}?limit=4&status=approved`
    let pages = 0
    while (url) {
      const answer: Awaited<ReturnType<Harness['graph']>> = await harness.graph('GET', url)
      expect(answer.json.data.length).toBeLessThanOrEqual(4)
      seen.push(...answer.json.data.map((t: any) => `${t.name}/${t.language}/${t.status}`))
      url = answer.json.paging?.next
      pages++
    }
    const approvedCount = harness.sim.templates.filter(t => t.status === 'APPROVED').length
    expect(seen).toHaveLength(approvedCount)
    expect(pages).toBe(Math.ceil(approvedCount / 4))
    expect(seen.every(entry => entry.endsWith('/APPROVED'))).toBe(true)
  })

  it('reflects edits to the live template list', async () => {
    harness = await startHarness({ templates: [] })
    expect((await harness.graph('GET', LIST_PATH)).json).toEqual({ data: [] })
    harness.sim.templates.push({
      id: '1',
      name: 'custom',
      language: 'en',
      status: 'APPROVED',
      category: 'UTILITY',
      components: [
        { type: 'BODY', text: 'Hi {{1}}' },
      ],
    })
    expect((await harness.graph('GET', LIST_PATH)).json.data.map((t: any) => t.name)).toEqual(['custom'])
  })
})
