/**
 * Approved WhatsApp templates for the composer: what each one needs filled in (`{{1}}` or named
 * variables in the header and body, a media header, a URL button's suffix), read from their
 * definitions (message.ts fills them in for the preview and the `template` message). Template
 * definitions are Meta's `components` as synced (reference §2.7; simulator/src/templates.ts).
 */
import type { SendMessage } from '~/protocol/messages'
import type { Template } from '~/utils/db'

export type TemplateMessage = Extract<SendMessage, { type: 'template' }>
export type TemplateParameter = NonNullable<TemplateMessage['template']['body']>[number]

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

export const VARIABLE = /\{\{\s*([\w.]+)\s*\}\}/g

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

type Unsupported = ParsedTemplate['unsupported']

/** The header, its fields (text variables or the media), and whether it can be sent. */
function parseHeader(template: Template, named: boolean): { header: ParsedTemplate['header'], fields: TemplateField[], unsupported: Unsupported } {
  const headerComponent = componentOf(template, 'HEADER')
  const header = headerComponent
    ? {
        format: str(headerComponent.format).toUpperCase() || 'TEXT',
        text: str(headerComponent.text),
      }
    : null
  const fields: TemplateField[] = []
  let unsupported: Unsupported = null
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
  return { header, fields, unsupported }
}

/** The body's text and its variables' fields. */
function parseBody(template: Template, named: boolean): { body: string, fields: TemplateField[] } {
  const bodyComponent = componentOf(template, 'BODY')
  const body = str(bodyComponent?.text)
  const bodyExamples = examplesOf(bodyComponent, 'body')
  const fields = ordered(templateVariables(body), named).map((variable): TemplateField => ({
    key: `body.${variable}`,
    section: 'body',
    variable,
    kind: 'text',
    example: bodyExamples.get(variable),
  }))
  return { body, fields }
}

/** The buttons, the fields of URL buttons with a variable suffix, and whether they can be sent. */
function parseButtons(template: Template): { buttons: TemplateButton[], fields: TemplateField[], unsupported: Unsupported } {
  const fields: TemplateField[] = []
  let unsupported: Unsupported = null
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
  return { buttons, fields, unsupported }
}

export function parseTemplate(template: Template): ParsedTemplate {
  const named = template.parameterFormat === 'NAMED'
  const { header, fields: headerFields, unsupported: headerUnsupported } = parseHeader(template, named)
  const { body, fields: bodyFields } = parseBody(template, named)
  const { buttons, fields: buttonFields, unsupported: buttonUnsupported } = parseButtons(template)
  return {
    template,
    header,
    body,
    footer: str(componentOf(template, 'FOOTER')?.text),
    buttons,
    fields: [
      ...headerFields,
      ...bodyFields,
      ...buttonFields,
    ],
    unsupported: headerUnsupported ?? buttonUnsupported,
  }
}
