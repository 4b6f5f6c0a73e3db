/**
 * The admin's bot settings on the options page: loaded from the server (not synced), edited as a
 * `BotForm`, checked like the server checks them and saved whole (`PUT /api/bots`). Problems are
 * keyed by the server's field paths, so a refusal (`invalid_pattern`, `invalid_request` with
 * `field`) lands next to the same field as the page's own checks. Fields register their path
 * (`useBotField`); a problem shows on the deepest registered field that covers it.
 */
import type { ComputedRef, InjectionKey, MaybeRefOrGetter, Ref } from 'vue'
import type { BotSettings } from '~/protocol/bots'
import type { BotForm, BotIssue, BotIssues } from '~/utils/bots/form'
import { computed, inject, provide, reactive, ref, shallowRef, toValue, useId, watch } from 'vue'
import { isApiError } from '~/utils/api/client'
import { fetchBotSettings, saveBotSettings } from '~/utils/bots/api'
import { fieldForPath, toBotForm, toBotSettingsInput, validateBotForm, valueAtPath } from '~/utils/bots/form'
import { describeBotsError } from '~/utils/bots/text'

export type BotSettingsLoad = 'loading' | 'ready' | 'error'
export type BotSettingsSave = 'idle' | 'saving' | 'saved' | 'error'

/** A refusal by the server about one field, kept while that field still holds what was sent. */
interface ServerIssue {
  path: string
  issue: BotIssue
  sent: string
}

function serverIssueOf(error: unknown, sent: unknown): ServerIssue | null {
  if (!isApiError(error) || !error.field)
    return null
  const value = valueAtPath(sent, error.field)
  let issue: BotIssue
  if (error.code === 'invalid_pattern') {
    const reason = (error.details as { reason?: unknown } | undefined)?.reason === 'unsafe'
      ? 'unsafe'
      : 'syntax'
    issue = {
      kind: 'regex',
      pattern: typeof value === 'string'
        ? value
        : '',
      reason,
    }
  }
  else if (error.code === 'not_found') {
    issue = { kind: 'notFound' }
  }
  else if (error.code === 'invalid_request') {
    issue = { kind: 'invalid' }
  }
  else {
    return null
  }
  return {
    path: error.field,
    issue,
    sent: JSON.stringify(value),
  }
}

export function useBotSettings() {
  const loadState = ref<BotSettingsLoad>('loading')
  const loadError = ref<string | null>(null)
  /** the settings as the server last answered them */
  const saved = shallowRef<BotSettings | null>(null)
  const form = ref<BotForm | null>(null)
  const baseline = ref('')
  /** a save was tried: from then on the page's checks show as the admin types */
  const attempted = ref(false)
  const serverIssue = shallowRef<ServerIssue | null>(null)
  const saveState = ref<BotSettingsSave>('idle')
  const saveError = ref<string | null>(null)

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

  watch(dirty, (value) => {
    if (value && saveState.value === 'saved')
      saveState.value = 'idle'
  })

  function apply(settings: BotSettings): void {
    saved.value = settings
    form.value = toBotForm(settings)
    baseline.value = JSON.stringify(toBotSettingsInput(form.value))
    attempted.value = false
    serverIssue.value = null
  }

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

// ---------------------------------------------------------------------------------------------
// Fields and their problems

export interface BotFieldsContext {
  /** a field on the page covers `path` (until the returned function is called) */
  register: (path: string) => () => void
  /** the problem shown on the field registered as `path` */
  issueFor: (path: string) => BotIssue | null
  /** whether any problem lies at or under `path` (a folded rule opens for it) */
  hasIssueUnder: (path: string) => boolean
  /** problems no field on the page covers */
  orphans: ComputedRef<BotIssue[]>
}

const FIELDS_KEY: InjectionKey<BotFieldsContext> = Symbol('bot-fields')

export function provideBotFields(issues: Ref<BotIssues> | ComputedRef<BotIssues>): BotFieldsContext {
  const registered = reactive(new Map<string, number>())
  const resolved = computed(() => {
    const byField = new Map<string, BotIssue>()
    const orphans: BotIssue[] = []
    for (const [path, issue] of Object.entries(issues.value)) {
      const field = fieldForPath(path, registered.keys())
      if (field === null)
        orphans.push(issue)
      else if (!byField.has(field))
        byField.set(field, issue)
    }
    return { byField, orphans }
  })
  const context: BotFieldsContext = {
    register: (path) => {
      registered.set(path, (registered.get(path) ?? 0) + 1)
      return () => {
        const count = (registered.get(path) ?? 1) - 1
        if (count <= 0)
          registered.delete(path)
        else registered.set(path, count)
      }
    },
    issueFor: path => resolved.value.byField.get(path) ?? null,
    hasIssueUnder: path => Object.keys(issues.value).some(p => p === path || p.startsWith(`${path}.`)),
    orphans: computed(() => resolved.value.orphans),
  }
  provide(FIELDS_KEY, context)
  return context
}

export function useBotFields(): BotFieldsContext {
  const context = inject(FIELDS_KEY, null)
  if (!context)
    throw new Error('useBotFields() outside the bot settings form')
  return context
}

/**
 * One field of the settings form: its element id, the id of its error text, and the problem to
 * show (null when none). Registers `path` while the field exists.
 */
export function useBotField(path: MaybeRefOrGetter<string>) {
  const context = useBotFields()
  const id = useId()
  watch(() => toValue(path), (value, _old, onCleanup) => {
    onCleanup(context.register(value))
  }, { immediate: true })
  const issue = computed(() => context.issueFor(toValue(path)))
  return { id, errorId: `${id}-error`, issue }
}
