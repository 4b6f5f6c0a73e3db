/** A parsed template filled in: the preview, whether it is complete, and the message to send. */
import type { ParsedTemplate, TemplateButton, TemplateField, TemplateMessage, TemplateParameter } from './parse'
import { VARIABLE } from './parse'

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
