/**
 * The admin's bot settings on the options page: loaded from the server (not synced), edited as a
 * `BotForm`, checked like the server checks them and saved whole (`PUT /api/bots`). Problems are
 * keyed by the server's field paths, so a refusal (`invalid_pattern`, `invalid_request` with
 * `field`) lands next to the same field as the page's own checks. The fields and their
 * problems: `composables/bot-fields.ts`.
 */
import type { BotSettings } from '~/protocol/bots'
import type { BotForm, BotIssues } from '~/utils/bots/form'
import type { ServerIssue } from '~/utils/bots/server-issue'
import { computed, ref, shallowRef, watch } from 'vue'
import { isApiError } from '~/utils/api/client'
import { fetchBotSettings, saveBotSettings } from '~/utils/bots/api'
import { toBotForm, toBotSettingsInput, validateBotForm, valueAtPath } from '~/utils/bots/form'
import { serverIssueOf } from '~/utils/bots/server-issue'
import { describeBotsError } from '~/utils/bots/text'

export type BotSettingsLoad = 'loading' | 'ready' | 'error'
export type BotSettingsSave = 'idle' | 'saving' | 'saved' | 'error'

/** The form being edited, what the server holds, and the problems to show (the page's and the server's). */
function useBotSettingsDraft() {
  /** the settings as the server last answered them */
  const saved = shallowRef<BotSettings | null>(null)
  const form = ref<BotForm | null>(null)
  const baseline = ref('')
  /** a save was tried: from then on the page's checks show as the admin types */
  const attempted = ref(false)
  const serverIssue = shallowRef<ServerIssue | null>(null)

  const input = computed(() => form.value
    ? toBotSettingsInput(form.value)
    : null)
  const dirty = computed(() => input.value !== null && JSON.stringify(input.value) !== baseline.value)

  const issues = computed<BotIssues>(() => {
    const local = attempted.value && form.value
      ? validateBotForm(form.value)
      : {}
    const server = serverIssue.value
    if (server && JSON.stringify(valueAtPath(input.value, server.path)) === server.sent)
      return { [server.path]: server.issue, ...local }
    return local
  })

  function apply(settings: BotSettings): void {
    saved.value = settings
    form.value = toBotForm(settings)
    baseline.value = JSON.stringify(toBotSettingsInput(form.value))
    attempted.value = false
    serverIssue.value = null
  }

  return {
    saved,
    form,
    baseline,
    attempted,
    serverIssue,
    input,
    dirty,
    issues,
    apply,
  }
}

type BotSettingsDraft = ReturnType<typeof useBotSettingsDraft>

/** Saving the draft whole, and going back to what the server holds. */
function useBotSettingsSave(draft: BotSettingsDraft) {
  const { saved, form, baseline, attempted, serverIssue, input, dirty, apply } = draft
  const saveState = ref<BotSettingsSave>('idle')
  const saveError = ref<string | null>(null)

  watch(dirty, (value) => {
    if (value && saveState.value === 'saved')
      saveState.value = 'idle'
  })

  /** Back to what the server holds. */
  function discard(): void {
    if (saved.value)
      apply(saved.value)
    saveState.value = 'idle'
    saveError.value = null
  }

  /** Resolves to true when the server took the settings. */
  async function save(): Promise<boolean> {
    if (!form.value || saveState.value === 'saving')
      return false
    attempted.value = true
    saveError.value = null
    if (Object.keys(validateBotForm(form.value)).length > 0) {
      saveState.value = 'error'
      return false
    }
    const sent = toBotSettingsInput(form.value)
    const sentJson = JSON.stringify(sent)
    saveState.value = 'saving'
    try {
      const answer = await saveBotSettings(sent)
      if (JSON.stringify(input.value) === sentJson) {
        apply(answer)
      }
      else {
        // Edited while saving: keep the edits, on top of what the server now holds.
        saved.value = answer
        baseline.value = JSON.stringify(toBotSettingsInput(toBotForm(answer)))
      }
      // "Saved" only when nothing was edited meanwhile; otherwise the page still has unsaved edits.
      saveState.value = dirty.value ? 'idle' : 'saved'
      return true
    }
    catch (error) {
      if (!isApiError(error))
        console.error('[wa-inbox] bot settings not saved', error)
      serverIssue.value = serverIssueOf(error, sent)
      saveError.value = describeBotsError(error)
      saveState.value = 'error'
      return false
    }
  }

  return { saveState, saveError, save, discard }
}

export function useBotSettings() {
  const draft = useBotSettingsDraft()
  const { saved, form, dirty, issues, apply } = draft
  const loadState = ref<BotSettingsLoad>('loading')
  const loadError = ref<string | null>(null)
  const { saveState, saveError, save, discard } = useBotSettingsSave(draft)

  async function load(): Promise<void> {
    loadState.value = 'loading'
    loadError.value = null
    try {
      apply(await fetchBotSettings())
      loadState.value = 'ready'
    }
    catch (error) {
      if (!isApiError(error))
        console.error('[wa-inbox] bot settings not loaded', error)
      loadError.value = describeBotsError(error)
      loadState.value = 'error'
    }
  }

  return {
    loadState,
    loadError,
    saved,
    form,
    dirty,
    issues,
    saveState,
    saveError,
    load,
    save,
    discard,
  }
}
