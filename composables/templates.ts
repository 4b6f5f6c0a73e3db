/**
 * Approved WhatsApp templates for the composer: what each one needs filled in (`{{1}}` or named
 * variables in the header and body, a media header, a URL button's suffix), the filled-in
 * preview, and the `template` message the server expects (protocol/messages.ts). Template
 * definitions are Meta's `components` as synced (reference §2.7; simulator/src/templates.ts).
 */
import type { MaybeRefOrGetter } from 'vue'
import type { SendMessage } from '~/protocol/messages'
import type { Contact, Conversation, Template } from '~/utils/db'
import { computed, reactive, ref, toValue, watch } from 'vue'
import { normalizeText } from '~/utils/chats/text'
import { db } from '~/utils/db'
import { useLiveQuery } from './live-query'

export type TemplateMessage = Extract<SendMessage, { type: 'template' }>
type TemplateParameter = NonNullable<TemplateMessage['template']['body']>[number]

export type MediaHeaderFormat = 'IMAGE' | 'VIDEO' | 'DOCUMENT'

/** One value the agent fills in before sending. */
export interface TemplateField {
  /** unique within the template: `header.1`, `body.customer_name`, `button.0` */
  key: string
  section: 'header' | 'body' | 'button'
  /** the variable: `1`, `customer_name`; for a media header, the format */
  variable: string
  /** `text` for variables, or the media a header needs (filled with an uploaded media id) */
  kind: 'text' | 'media'
  mediaFormat?: MediaHeaderFormat
  /** the button's index in the template (URL buttons) */
  buttonIndex?: number
  /** Meta's example value, shown as a placeholder */
  example?: string
}

export interface TemplateButton {
  type: string
  text: string
  url?: string
}

/** A template's parts, read defensively from the synced `components`. */
export interface ParsedTemplate {
  template: Template
  header: { format: string, text: string } | null
  body: string
  footer: string
  buttons: TemplateButton[]
  fields: TemplateField[]
  /**
   * Why the inbox cannot send it (the server's send schema has no parameter for it): a location
   * header or a copy-code button. Null when it can be sent.
   */
  unsupported: 'location_header' | 'copy_code' | null
}

const VARIABLE = /\{\{\s*([\w.]+)\s*\}\}/g

function str(value: unknown): string {
  return typeof value === 'string'
    ? value
    : ''
}

function componentOf(template: Template, type: string): Record<string, unknown> | undefined {
  return template.components.find(c => str(c.type).toUpperCase() === type)
}

/** Distinct variables in order of appearance (`{{1}}`, `{{ name }}`). */
export function templateVariables(text: string): string[] {
  return [
    ...new Set([
      ...text.matchAll(VARIABLE),
    ].map(m => m[1]!)),
  ]
}

/** Positional variables go in numeric order (the server maps `body[i]` to `{{i + 1}}`). */
function ordered(variables: string[], named: boolean): string[] {
  return named
    ? variables
    : [...variables].sort((a, b) => Number(a) - Number(b))
}

function examplesOf(component: Record<string, unknown> | undefined, kind: 'body' | 'header'): Map<string, string> {
  const examples = new Map<string, string>()
  const example = component?.example as Record<string, unknown> | undefined
  if (!example)
    return examples
  const positional = kind === 'body'
    ? (example.body_text as unknown[] | undefined)?.[0]
    : example.header_text
  if (Array.isArray(positional))
    positional.forEach((value, i) => examples.set(String(i + 1), str(value)))
  const named = example[kind === 'body'
    ? 'body_text_named_params'
    : 'header_text_named_params']
  if (Array.isArray(named)) {
    for (const item of named as Array<Record<string, unknown>>)
      examples.set(str(item.param_name), str(item.example))
  }
  return examples
}

export function parseTemplate(template: Template): ParsedTemplate {
  const named = template.parameterFormat === 'NAMED'
  const fields: TemplateField[] = []
  let unsupported: ParsedTemplate['unsupported'] = null

  const headerComponent = componentOf(template, 'HEADER')
  const header = headerComponent
    ? {
        format: str(headerComponent.format).toUpperCase() || 'TEXT',
        text: str(headerComponent.text),
      }
    : null
  if (header?.format === 'TEXT') {
    const examples = examplesOf(headerComponent, 'header')
    for (const variable of ordered(templateVariables(header.text), named)) {
      fields.push({
        key: `header.${variable}`,
        section: 'header',
        variable,
        kind: 'text',
        example: examples.get(variable),
      })
    }
  }
  else if (header && ['IMAGE', 'VIDEO', 'DOCUMENT'].includes(header.format)) {
    fields.push({
      key: 'header.media',
      section: 'header',
      variable: header.format,
      kind: 'media',
      mediaFormat: header.format as MediaHeaderFormat,
    })
  }
  else if (header?.format === 'LOCATION') {
    unsupported = 'location_header'
  }

  const bodyComponent = componentOf(template, 'BODY')
  const body = str(bodyComponent?.text)
  const bodyExamples = examplesOf(bodyComponent, 'body')
  for (const variable of ordered(templateVariables(body), named)) {
    fields.push({
      key: `body.${variable}`,
      section: 'body',
      variable,
      kind: 'text',
      example: bodyExamples.get(variable),
    })
  }

  const rawButtons = (componentOf(template, 'BUTTONS')?.buttons ?? []) as Array<Record<string, unknown>>
  const buttons: TemplateButton[] = rawButtons.map((button, index) => {
    const type = str(button.type).toUpperCase()
    const url = str(button.url)
    if (type === 'URL' && templateVariables(url).length > 0) {
      const example = Array.isArray(button.example)
        ? str(button.example[0])
        : undefined
      fields.push({
        key: `button.${index}`,
        section: 'button',
        variable: templateVariables(url)[0]!,
        kind: 'text',
        buttonIndex: index,
        example,
      })
    }
    if (type === 'COPY_CODE')
      unsupported ??= 'copy_code'
    return {
      type,
      text: str(button.text),
      ...(url
        ? { url }
        : {}),
    }
  })

  return {
    template,
    header,
    body,
    footer: str(componentOf(template, 'FOOTER')?.text),
    buttons,
    fields,
    unsupported,
  }
}

/** Values by field key. */
export type TemplateValues = Record<string, string>

/** `text` with each `{{variable}}` of `section` replaced by its value (left as is while empty). */
export function fillTemplateText(text: string, section: TemplateField['section'], values: TemplateValues): string {
  return text.replace(VARIABLE, (whole, variable: string) => {
    const value = values[`${section}.${variable}`]?.trim()
    return value || whole
  })
}

export interface TemplatePreview {
  header: string | null
  /** the body as the customer reads it: also the local copy's text until the server's arrives */
  body: string
  footer: string
  buttons: TemplateButton[]
}

export function previewTemplate(parsed: ParsedTemplate, values: TemplateValues): TemplatePreview {
  return {
    header: parsed.header?.format === 'TEXT'
      ? fillTemplateText(parsed.header.text, 'header', values)
      : null,
    body: fillTemplateText(parsed.body, 'body', values),
    footer: parsed.footer,
    buttons: parsed.buttons.map((button, index) => button.url
      ? {
          ...button,
          url: button.url.replace(VARIABLE, whole => values[`button.${index}`]?.trim() || whole),
        }
      : button),
  }
}

/** Every field has a value (the server refuses empty text parameters). */
export function isTemplateComplete(parsed: ParsedTemplate, values: TemplateValues): boolean {
  return parsed.unsupported === null && parsed.fields.every(field => (values[field.key] ?? '').trim() !== '')
}

/** The `template` message for `POST /api/conversations/:id/messages`; parameters trimmed. */
export function buildTemplateMessage(parsed: ParsedTemplate, values: TemplateValues, clientId: string): TemplateMessage {
  const named = parsed.template.parameterFormat === 'NAMED'
  const textParameter = (field: TemplateField): TemplateParameter => ({
    type: 'text',
    text: (values[field.key] ?? '').trim(),
    ...(named && field.section !== 'button'
      ? { name: field.variable }
      : {}),
  })
  const header: TemplateParameter[] = parsed.fields.filter(f => f.section === 'header').map(field => field.kind === 'media'
    ? {
        type: field.mediaFormat!.toLowerCase() as 'image' | 'video' | 'document',
        mediaId: values[field.key]!,
      }
    : textParameter(field))
  const body = parsed.fields.filter(f => f.section === 'body').map(textParameter)
  const buttons = parsed.fields.filter(f => f.section === 'button').map(field => ({
    index: field.buttonIndex!,
    subType: 'url' as const,
    parameter: {
      type: 'text' as const,
      text: (values[field.key] ?? '').trim(),
    },
  }))
  return {
    clientId,
    type: 'template',
    template: {
      name: parsed.template.name,
      language: parsed.template.language,
      ...(header.length > 0
        ? { header }
        : {}),
      ...(body.length > 0
        ? { body }
        : {}),
      ...(buttons.length > 0
        ? { buttons }
        : {}),
    },
  }
}

/** A template name and the languages it exists in (approved only). */
export interface TemplateGroup {
  name: string
  category: string | null
  templates: Template[]
}

/** Approved templates grouped by name, sorted, matching `search` (name, words ignoring `_`). */
export function groupTemplates(templates: Template[], search = ''): TemplateGroup[] {
  const query = normalizeText(search.trim()).replace(/\s+/g, '_')
  const groups = new Map<string, TemplateGroup>()
  for (const template of templates) {
    if (template.status !== 'APPROVED')
      continue
    if (query && !normalizeText(template.name).includes(query))
      continue
    const group = groups.get(template.name) ?? { name: template.name, category: template.category, templates: [] }
    group.templates.push(template)
    groups.set(template.name, group)
  }
  return [
    ...groups.values(),
  ]
    .map(group => ({
      ...group,
      templates: group.templates.sort((a, b) => a.language.localeCompare(b.language)),
    }))
    .sort((a, b) => a.name.localeCompare(b.name))
}

/**
 * The language to start with: the contact's (`ro` matches `ro` or `ro_RO`), else the UI's,
 * else the first.
 */
export function preferredLanguage(templates: Template[], ...wanted: Array<string | null | undefined>): Template | undefined {
  for (const tag of wanted) {
    if (!tag)
      continue
    const norm = tag.replace('-', '_').toLowerCase()
    const base = norm.split('_')[0]!
    const found = templates.find(t => t.language.toLowerCase() === norm)
      ?? templates.find(t => t.language.toLowerCase() === base)
      ?? templates.find(t => t.language.toLowerCase().split('_')[0] === base)
    if (found)
      return found
  }
  return templates[0]
}

/** A display name for a template: `order_update` → `Order update`. */
export function templateTitle(name: string): string {
  const words = name.replace(/_/g, ' ').trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

interface PickerData {
  conversation: Conversation | undefined
  contact: Contact | undefined
  templates: Template[]
}

/** The conversation, its contact (the synced one, else the embedded copy) and its number's templates. */
async function readPickerData(id: string): Promise<PickerData> {
  const conversation = await db.conversations.get(id)
  if (!conversation)
    return { conversation, contact: undefined, templates: [] }
  const [contact, templates] = await Promise.all([
    db.contacts.get(conversation.contactId),
    db.templates.where('channelId').equals(conversation.channelId).toArray(),
  ])
  return { conversation, contact: contact ?? conversation.contact, templates }
}

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
