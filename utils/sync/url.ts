/** `ws(s)://…/api/live` for a server base URL. */
export function liveUrl(serverUrl: string): string {
  return `${serverUrl.replace(/\/+$/, '').replace(/^http/, 'ws')}/api/live`
}
