/**
 * The demo workspace's team, created through the API on first start (and left alone after): two
 * agents besides the admin, a team, labels and quick replies, so the inbox has something to
 * assign, filter and answer with.
 */
interface Api { get: (path: string) => Promise<any>, post: (path: string, body: unknown) => Promise<Response> }

export const DEMO_AGENTS = [
  { name: 'Ana Ionescu', email: 'ana@demo.wa-inbox.test', role: 'agent' },
  { name: 'Radu Popa', email: 'radu@demo.wa-inbox.test', role: 'agent' },
] as const

const LABELS = [
  { name: 'VIP', color: 'amber' },
  { name: 'Order', color: 'blue' },
  { name: 'Refund', color: 'red' },
  { name: 'Delivery', color: 'teal' },
  { name: 'Lead', color: 'green' },
]

const QUICK_REPLIES = [
  { shortcut: 'hello', title: 'Greeting', body: 'Bună ziua! Cu ce vă putem ajuta? / Hello! How can we help?' },
  { shortcut: 'thanks', title: 'Thanks', body: 'Mulțumim! Vă mai putem ajuta cu ceva? / Thank you! Anything else we can help with?' },
  { shortcut: 'hours', title: 'Opening hours', body: 'Suntem aici de luni până vineri, 9–18. / We are here Monday to Friday, 9–18.' },
  { shortcut: 'tracking', title: 'Order tracking', body: 'Comanda dumneavoastră a plecat; link de urmărire: / Your order is on its way; tracking link: ' },
]

async function connect(url: string, email: string, password: string): Promise<Api> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  })
  if (!res.ok)
    throw new Error(`demo login failed (${res.status})`)
  const { token } = await res.json() as { token: string }
  const headers = { 'authorization': `Bearer ${token}`, 'content-type': 'application/json' }
  return {
    get: async path => await (await fetch(`${url}${path}`, { headers })).json(),
    post: async (path, body) => await fetch(`${url}${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    }),
  }
}

/** Answers what it created (empty when the workspace already had a team). */
export async function seedDemoTeam(url: string, admin: { email: string, password: string }): Promise<string[]> {
  const api = await connect(url, admin.email, admin.password)
  const agents = (await api.get('/api/agents')).items as Array<{ email: string }>
  if (agents.length > 1)
    return []
  const created: string[] = []
  const ids: string[] = []
  for (const agent of DEMO_AGENTS) {
    const res = await api.post('/api/agents', { ...agent, password: admin.password })
    if (res.ok) {
      ids.push(((await res.json()) as { agent: { id: string } }).agent.id)
      created.push(`${agent.email} / ${admin.password}`)
    }
  }
  await api.post('/api/teams', { name: 'Support', agentIds: ids })
  for (const label of LABELS)
    await api.post('/api/labels', label)
  for (const reply of QUICK_REPLIES)
    await api.post('/api/quick-replies', reply)
  return created
}
