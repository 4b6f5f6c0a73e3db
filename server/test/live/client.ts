/** A `/api/live` client for tests, on Node's built-in WebSocket. */
export interface LiveClient {
  messages: any[]
  /** resolves with the first message (already received or coming) that matches */
  next: (match: (m: any) => boolean, timeoutMs?: number) => Promise<any>
  closed: Promise<{ code: number, reason: string }>
  send: (message: unknown) => void
  close: () => void
}

export async function openLive(baseUrl: string, token: string | null): Promise<LiveClient> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/live`)
  const messages: any[] = []
  const waiters: Array<{ match: (m: any) => boolean, resolve: (m: any) => void }> = []
  ws.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data))
    messages.push(message)
    for (const w of [...waiters]) {
      if (w.match(message)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(message)
      }
    }
  })
  const closed = new Promise<{ code: number, reason: string }>(resolve => ws.addEventListener('close', e => resolve({ code: e.code, reason: e.reason })))
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true })
    ws.addEventListener('error', () => reject(new Error('live socket failed to open')), { once: true })
  })
  if (token)
    ws.send(JSON.stringify({ type: 'auth', token }))
  return {
    messages,
    closed,
    next(match, timeoutMs = 5000) {
      const found = messages.find(match)
      if (found)
        return Promise.resolve(found)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching live message in ${timeoutMs} ms; got ${JSON.stringify(messages)}`)), timeoutMs)
        waiters.push({
          match,
          resolve: (m) => {
            clearTimeout(timer)
            resolve(m)
          },
        })
      })
    },
    send: message => ws.send(JSON.stringify(message)),
    close: () => ws.close(),
  }
}
