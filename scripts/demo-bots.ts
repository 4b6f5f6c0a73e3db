/**
 * The demo workspace's bots, set up through the API on first start (when the knowledge base is
 * empty): the shop's knowledge base from the benchmark's question set (bench/data/kb.ts), a Reply
 * Bot rule, welcome and away messages, and both bots on for customers seen for the first time, so
 * a newcomer sees the AI Bot answer, the Reply Bot greet, and a hand-over when a customer asks for
 * a person.
 */
import { KB_ENTRIES } from '../bench/data/kb.ts'

export async function seedDemoBots(url: string, admin: { email: string, password: string }): Promise<number> {
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(admin),
  })
  if (!login.ok)
    throw new Error(`demo login failed (${login.status})`)
  const { token } = await login.json() as { token: string }
  const headers = { 'authorization': `Bearer ${token}`, 'content-type': 'application/json' }
  const existing = await (await fetch(`${url}/api/bots/knowledge?limit=1`, { headers })).json() as { items: unknown[] }
  if (existing.items.length > 0)
    return 0
  for (const entry of KB_ENTRIES) {
    await fetch(`${url}/api/bots/knowledge`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        kind: entry.kind,
        title: entry.title,
        body: entry.body,
        language: entry.language,
      }),
    })
  }
  const settings = await (await fetch(`${url}/api/bots`, { headers })).json() as Record<string, any>
  settings.replyBot.rules = [
    {
      id: 'demo-hours',
      name: 'Opening hours',
      enabled: true,
      match: 'keyword',
      patterns: [
        'program',
        'orar',
        'opening hours',
        'open',
      ],
      language: 'any',
      reply: {
        text: 'Suntem aici de luni până vineri, 9–18. / We are here Monday to Friday, 9–18.',
        buttons: ['OK', 'Agent'],
      },
    },
  ]
  settings.replyBot.welcome.enabled = true
  settings.replyBot.away.enabled = true
  settings.newContacts = { replyBot: true, aiBot: true }
  await fetch(`${url}/api/bots`, {
    method: 'PUT',
    headers,
    body: JSON.stringify(settings),
  })
  return KB_ENTRIES.length
}
