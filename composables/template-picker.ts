/**
 * The composer's template picker (components/composer/ComposerTemplatePicker.vue): the approved
 * templates of the conversation's number, what each needs filled in and the message to send
 * (utils/templates/).
 */
import type { MaybeRefOrGetter } from 'vue'
import type { TemplateValues } from '~/utils/templates/message'
import type { TemplateMessage } from '~/utils/templates/parse'
import type { PickerData } from '~/utils/templates/picker-data'
import { computed, reactive, ref, toValue, watch } from 'vue'
import { groupTemplates, preferredLanguage } from '~/utils/templates/groups'
import { buildTemplateMessage, isTemplateComplete, previewTemplate } from '~/utils/templates/message'
import { parseTemplate } from '~/utils/templates/parse'
import { readPickerData } from '~/utils/templates/picker-data'
import { useLiveQuery } from './live-query'

/**
 * The template picker's state for one conversation: the approved templates of its number,
 * search, the chosen name and language, the values typed, the preview and the message to send.
 */
export function useTemplatePicker(conversationId: MaybeRefOrGetter<string>, uiLanguage: MaybeRefOrGetter<string | null> = null) {
  const search = ref('')
  const selectedName = ref<string | null>(null)
  const selectedId = ref<string | null>(null)
  const values = reactive<TemplateValues>({})

  // Another conversation: nothing chosen; its templates replace the last ones when they arrive.
  watch(() => toValue(conversationId), () => {
    selectedName.value = null
    selectedId.value = null
  })
  const { data, loaded } = useLiveQuery(readPickerData, { conversation: undefined, contact: undefined, templates: [] } as PickerData, {
    source: () => toValue(conversationId),
    keepPrevious: true,
  })

  const allGroups = computed(() => groupTemplates(data.value.templates))
  const groups = computed(() => groupTemplates(data.value.templates, search.value))
  const group = computed(() => allGroups.value.find(g => g.name === selectedName.value) ?? null)
  const template = computed(() => group.value?.templates.find(t => t.id === selectedId.value) ?? null)
  const parsed = computed(() => template.value
    ? parseTemplate(template.value)
    : null)
  const preview = computed(() => parsed.value
    ? previewTemplate(parsed.value, values)
    : null)
  const complete = computed(() => parsed.value !== null && isTemplateComplete(parsed.value, values))

  function clearValues(): void {
    for (const key of Object.keys(values))
      delete values[key]
  }

  function select(name: string | null): void {
    clearValues()
    selectedName.value = name
    const found = allGroups.value.find(g => g.name === name)
    selectedId.value = found
      ? preferredLanguage(found.templates, data.value.contact?.language, toValue(uiLanguage))?.id ?? null
      : null
  }

  /** Another language of the same template; values of variables it shares are kept. */
  function selectLanguage(templateId: string): void {
    selectedId.value = templateId
  }

  function message(clientId: string): TemplateMessage | null {
    return parsed.value && complete.value
      ? buildTemplateMessage(parsed.value, values, clientId)
      : null
  }

  function reset(): void {
    select(null)
    search.value = ''
  }

  return {
    loaded,
    conversation: computed(() => data.value.conversation),
    search,
    groups,
    group,
    template,
    parsed,
    values,
    preview,
    complete,
    select,
    selectLanguage,
    message,
    reset,
  }
}
