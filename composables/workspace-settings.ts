import type { WorkspaceInfo } from '~/protocol/workspace'
import { getCountries } from 'libphonenumber-js/min'
import { computed, ref, watch } from 'vue'
import { useSessionStore } from '~/stores/session'
import { pageApiClient } from '~/utils/api/page'
import { db } from '~/utils/db'
import { uiLocale } from '~/utils/page-document'
import { useLiveQuery } from './live-query'

export type WorkspaceSaveResult = { ok: true } | { ok: false, code: string }

/** Every country libphonenumber knows, named in the extension's language, by name. */
function countryChoices(): Array<{ code: string, name: string }> {
  const names = new Intl.DisplayNames([
    uiLocale(),
  ], { type: 'region' })
  return getCountries()
    .map(code => ({ code, name: names.of(code) ?? code }))
    .sort((a, b) => a.name.localeCompare(b.name, uiLocale()))
}

/**
 * The workspace's settings an admin edits (the default country of phone numbers): the synced
 * workspace observed in Dexie (a change by another admin shows too, unless the form was touched),
 * and saving through `PATCH /api/workspace`.
 */
export function useWorkspaceSettings() {
  const session = useSessionStore()
  const country = ref('')
  const dirty = ref(false)
  const saving = ref(false)
  const result = ref<WorkspaceSaveResult | null>(null)

  const { data: workspace } = useLiveQuery(async () => await db.workspaces.toCollection().first() ?? null, null)
  watch(workspace, (value) => {
    if (!dirty.value)
      country.value = (value?.settings.defaultCountry as string | undefined) ?? ''
  }, { flush: 'sync' })

  async function save(): Promise<void> {
    saving.value = true
    result.value = null
    try {
      const api = await pageApiClient()
      const saved = await api.request<WorkspaceInfo>('PATCH', '/api/workspace', {
        settings: { defaultCountry: country.value || null },
      })
      // The server's own entity, as sync would write it: shows at once, sync brings the same.
      await db.workspaces.put({ id: saved.id, name: saved.name, settings: saved.settings })
      dirty.value = false
      result.value = { ok: true }
    }
    catch (error) {
      result.value = { ok: false, code: (error as { code?: string }).code ?? 'failed' }
    }
    finally {
      saving.value = false
    }
  }

  return {
    /** admin-only: agents see nothing (the server refuses them anyway, 403 `forbidden`) */
    isAdmin: computed(() => session.isAdmin),
    country,
    dirty,
    countries: computed(countryChoices),
    saving,
    result,
    save,
  }
}
