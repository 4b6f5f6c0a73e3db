import type { Team } from '~/utils/db'
import { computed } from 'vue'
import { db } from '~/utils/db'
import { uiLocale } from '~/utils/page-document'
import { useLiveQuery } from './live-query'

/** Approved templates' names (synced), offered for a bot rule's closed-window template. */
export function useApprovedTemplateNames() {
  const { data, error } = useLiveQuery(async () => [
    ...new Set((await db.templates.toArray()).filter(t => t.status === 'APPROVED').map(t => t.name)),
  ].sort(), [] as string[])
  return computed(() => error.value === undefined
    ? data.value
    : [])
}

/** The workspace's teams (synced), by name: where a bot hands a chat over. */
export function useBotTeams() {
  const { data, error } = useLiveQuery(async () => (await db.teams.toArray())
    .sort((a, b) => a.name.localeCompare(b.name, uiLocale())), [] as Team[])
  return computed(() => error.value === undefined
    ? data.value
    : [])
}
