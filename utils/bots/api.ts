/**
 * The bots' server API (`/api/bots…`, `POST /api/conversations/:id/suggest-reply`), not synced:
 * the settings and the knowledge base are read and written directly by the options page, and a
 * suggestion is asked for on demand. Failures are `ApiError`s with the server's code.
 */
import type { BotSettings, BotSettingsInput, BotTestRequest, BotTrace, CreateKbEntry, KbEntry, KbPage, Suggestion, UpdateKbEntry } from '~/protocol/bots'
import { pageApiClient } from '../api/page'

export async function fetchBotSettings(): Promise<BotSettings> {
  return await (await pageApiClient()).get<BotSettings>('/api/bots')
}

export async function saveBotSettings(input: BotSettingsInput): Promise<BotSettings> {
  return await (await pageApiClient()).request<BotSettings>('PUT', '/api/bots', input)
}

export async function listKbEntries(query: { q?: string, cursor?: string | null, limit?: number }): Promise<KbPage> {
  const params = new URLSearchParams()
  if (query.q)
    params.set('q', query.q)
  if (query.cursor)
    params.set('cursor', query.cursor)
  if (query.limit)
    params.set('limit', String(query.limit))
  const search = params.toString()
  return await (await pageApiClient()).get<KbPage>(`/api/bots/knowledge${search
    ? `?${search}`
    : ''}`)
}

export async function createKbEntry(entry: CreateKbEntry): Promise<KbEntry> {
  return await (await pageApiClient()).post<KbEntry>('/api/bots/knowledge', entry)
}

export async function updateKbEntry(id: string, patch: UpdateKbEntry): Promise<KbEntry> {
  return await (await pageApiClient()).request<KbEntry>('PATCH', `/api/bots/knowledge/${encodeURIComponent(id)}`, patch)
}

export async function deleteKbEntry(id: string): Promise<void> {
  await (await pageApiClient()).request<void>('DELETE', `/api/bots/knowledge/${encodeURIComponent(id)}`)
}

export async function testBots(request: BotTestRequest): Promise<BotTrace> {
  return await (await pageApiClient()).post<BotTrace>('/api/bots/test', request)
}

/** A draft reply for the agent (never sent by itself); 422 `no_suggestion`, 502 `provider_failed`. */
export async function suggestReply(conversationId: string): Promise<Suggestion> {
  return await (await pageApiClient()).post<Suggestion>(`/api/conversations/${encodeURIComponent(conversationId)}/suggest-reply`)
}
