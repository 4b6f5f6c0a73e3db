// Templates at send time (the library itself is in templates-library.ts): the checks Meta runs when
// a template is sent: lookup by name + language + status (132001, 132015,
// 132016), variable count per component (132000) and parameter format (132012).

import type { SimTemplate } from './types.ts'
import { whatsappError } from './errors.ts'

export { defaultTemplates } from './templates-library.ts'

const VARIABLE = /\{\{\s*([\w.]+)\s*\}\}/g

/** Distinct variables in order of first appearance (`['1', '2']` or `['customer_name', …]`). */
export function templateVariables(text: string | undefined): string[] {
  const names: string[] = []
  for (const match of (text ?? '').matchAll(VARIABLE)) {
    if (!names.includes(match[1]!))
      names.push(match[1]!)
  }
  return names
}

export function findTemplate(templates: SimTemplate[], name: string, language: string) {
  return templates.find(template => template.name === name && template.language === language)
}

interface SentComponent {
  type?: unknown
  sub_type?: unknown
  index?: unknown
  parameters?: unknown
}

interface SentParameter {
  type?: unknown
  parameter_name?: unknown
  [key: string]: unknown
}

const MEDIA_HEADER_FORMATS = new Set(['IMAGE', 'VIDEO', 'DOCUMENT'])

/** Builds the Graph errors of one template send (they share its trace id factory and overrides). */
function sendErrors(traceId: () => string, overrides?: Record<number, number>) {
  return {
    invalid: (code: number, details?: string) => whatsappError(code, traceId(), details, overrides),
    mismatch: (where: string, given: number, expected: number) =>
      whatsappError(132000, traceId(), `${where}: number of localizable_params (${given}) does not match the expected number of params (${expected})`, overrides),
    formatError: (details: string) => whatsappError(132012, traceId(), details, overrides),
  }
}

type SendErrors = ReturnType<typeof sendErrors>

/**
 * Checks a `template` send object against the library. Throws the Graph error Meta would answer;
 * returns the template on success.
 */
export function checkTemplateSend(
  templates: SimTemplate[],
  template: Record<string, unknown>,
  traceId: () => string,
  overrides?: Record<number, number>,
): SimTemplate {
  const errors = sendErrors(traceId, overrides)
  const found = findSendableTemplate(templates, template, errors)
  const sent = checkSentComponents(template.components ?? [], errors)
  const byType = (type: string) => sent.filter(component => String(component.type).toLowerCase() === type)
  checkHeaderParams(found, paramsOf(byType('header')), errors)
  checkBodyParams(found, paramsOf(byType('body')), errors)
  checkButtonParams(found, byType('button'), errors)
  return found
}

/** Lookup by name + language; only approved, paused and disabled templates exist for a send. */
function findSendableTemplate(templates: SimTemplate[], template: Record<string, unknown>, errors: SendErrors) {
  const name = String(template.name)
  const language = String((template.language as Record<string, unknown>).code)
  const found = findTemplate(templates, name, language)
  if (!found || !['APPROVED', 'PAUSED', 'DISABLED'].includes(found.status))
    throw errors.invalid(132001, `template name (${name}) does not exist in ${language}`)
  if (found.status === 'PAUSED')
    throw errors.invalid(132015)
  if (found.status === 'DISABLED')
    throw errors.invalid(132016)
  return found
}

function checkSentComponents(sent: unknown, errors: SendErrors): SentComponent[] {
  if (!Array.isArray(sent))
    throw errors.invalid(100, 'Param template[\'components\'] must be an array.')
  for (const component of sent as SentComponent[]) {
    if (!['header', 'body', 'button', 'footer'].includes(String(component.type).toLowerCase()))
      throw errors.invalid(100, `Invalid component type: ${String(component.type)}`)
    if (component.parameters !== undefined && !Array.isArray(component.parameters))
      throw errors.invalid(100, 'Param template[\'components\'][\'parameters\'] must be an array.')
  }
  return sent as SentComponent[]
}

function paramsOf(components: SentComponent[]) {
  return components.flatMap(component => (component.parameters ?? []) as SentParameter[])
}

/** A media header takes exactly one media parameter, a location header one location, a text header its variables. */
function checkHeaderParams(found: SimTemplate, headerParams: SentParameter[], errors: SendErrors) {
  const { mismatch, formatError } = errors
  const header = found.components.find(component => component.type === 'HEADER')
  if (header?.format && MEDIA_HEADER_FORMATS.has(header.format)) {
    if (headerParams.length !== 1)
      throw mismatch('header', headerParams.length, 1)
    const expected = header.format.toLowerCase()
    const param = headerParams[0]!
    if (param.type !== expected)
      throw formatError(`header: Format mismatch, expected ${header.format}, received ${String(param.type).toUpperCase()}`)
    const media = param[expected] as Record<string, unknown> | undefined
    if (!media || (typeof media.id !== 'string' && typeof media.link !== 'string'))
      throw errors.invalid(131008, `The parameter ${expected}['id'] or ${expected}['link'] is required.`)
  }
  else if (header?.format === 'LOCATION') {
    if (headerParams.length !== 1)
      throw mismatch('header', headerParams.length, 1)
    if (headerParams[0]!.type !== 'location')
      throw formatError(`header: Format mismatch, expected LOCATION, received ${String(headerParams[0]!.type).toUpperCase()}`)
  }
  else {
    const expected = templateVariables(header?.text).length
    if (headerParams.length !== expected)
      throw mismatch('header', headerParams.length, expected)
    checkTextParams(headerParams, found, 'header', templateVariables(header?.text), formatError, mismatch)
  }
}

function checkBodyParams(found: SimTemplate, bodyParams: SentParameter[], errors: SendErrors) {
  const bodyComponent = found.components.find(component => component.type === 'BODY')
  const bodyVariables = templateVariables(bodyComponent?.text)
  if (bodyParams.length !== bodyVariables.length)
    throw errors.mismatch('body', bodyParams.length, bodyVariables.length)
  checkTextParams(bodyParams, found, 'body', bodyVariables, errors.formatError, errors.mismatch)
}

/** Dynamic URL buttons need exactly one text parameter; quick replies take an optional payload. */
function checkButtonParams(found: SimTemplate, sentButtons: SentComponent[], errors: SendErrors) {
  const { mismatch, formatError } = errors
  const buttons = found.components.find(component => component.type === 'BUTTONS')?.buttons ?? []
  for (const component of sentButtons) {
    const index = Number(component.index)
    const button = buttons[index]
    if (!Number.isInteger(index) || !button)
      throw errors.invalid(131009, `Button at index ${String(component.index)} does not exist in template ${found.name}.`)
    const params = (component.parameters ?? []) as SentParameter[]
    if (button.type === 'QUICK_REPLY') {
      if (params.length > 1)
        throw mismatch('button', params.length, 1)
      if (params[0] && params[0].type !== 'payload')
        throw formatError(`button: Format mismatch, expected PAYLOAD, received ${String(params[0].type).toUpperCase()}`)
    }
    else {
      const expected = templateVariables(button.url).length
      if (params.length !== expected)
        throw mismatch('button', params.length, expected)
    }
  }
  buttons.forEach((button, index) => {
    const expected = button.type === 'QUICK_REPLY'
      ? 0
      : templateVariables(button.url).length
    if (expected > 0 && !sentButtons.some(component => Number(component.index) === index))
      throw mismatch('button', 0, expected)
  })
}

function checkTextParams(
  params: SentParameter[],
  template: SimTemplate,
  where: string,
  variables: string[],
  formatError: (details: string) => Error,
  mismatch: (where: string, given: number, expected: number) => Error,
) {
  for (const param of params) {
    if (!['text', 'currency', 'date_time'].includes(String(param.type)))
      throw formatError(`${where}: Format mismatch, expected TEXT, received ${String(param.type).toUpperCase()}`)
    if (param.type === 'text' && typeof param.text !== 'string')
      throw formatError(`${where}: parameter of type text needs a string 'text'`)
  }
  if (template.parameter_format === 'NAMED') {
    const names = params.map(param => param.parameter_name)
    if (names.some(name => typeof name !== 'string'))
      throw formatError(`${where}: named parameter template ${template.name} requires parameter_name on every parameter`)
    const unknown = names.find(name => !variables.includes(name as string))
    if (unknown !== undefined || new Set(names).size !== names.length)
      throw mismatch(where, new Set(names.filter(name => variables.includes(name as string))).size, variables.length)
  }
}
