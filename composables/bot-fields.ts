/**
 * The bot settings form's fields and their problems: fields register their path (`useBotField`);
 * a problem shows on the deepest registered field that covers it, the others are orphans.
 */
import type { ComputedRef, InjectionKey, MaybeRefOrGetter, Ref } from 'vue'
import type { BotIssue, BotIssues } from '~/utils/bots/form'
import { computed, inject, provide, reactive, toValue, useId, watch } from 'vue'
import { fieldForPath } from '~/utils/bots/form'

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
