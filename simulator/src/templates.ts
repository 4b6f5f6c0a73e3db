// The default template library (English and Romanian, every status a connector must cope with) and
// the checks Meta runs when a template is sent: lookup by name + language + status (132001, 132015,
// 132016), variable count per component (132000) and parameter format (132012).

import type { SimTemplate, SimTemplateComponent } from './types.ts'
import { whatsappError } from './errors.ts'

const QUICK = (text: string) => ({ type: 'QUICK_REPLY' as const, text })

function body(text: string, example?: Record<string, unknown>): SimTemplateComponent {
  return example
    ? { type: 'BODY', text, example }
    : { type: 'BODY', text }
}

const EN = {
  orderUpdate: 'Hi {{1}}, your order {{2}} is on its way and should arrive on {{3}}.',
  footer: 'Livrări Rapide',
  track: 'Track order',
  agent: 'Talk to an agent',
  appointment: 'Hello {{customer_name}}, this is a reminder of your appointment on {{date}} at {{time}}.',
  confirm: 'Confirm',
  reschedule: 'Reschedule',
  deliveryHeader: 'Delivery for order {{1}}',
  deliveryWindow: 'Your courier will arrive today between {{1}} and {{2}}.',
  payment: 'We received your payment of {{1}} for order {{2}}. Thank you!',
  invoice: 'Your invoice {{1}} is attached.',
  followup: 'Did we solve your problem?',
  yes: 'Yes',
  no: 'No',
  feedback: 'Hi {{1}}, how did we do? Tell us in one minute.',
  rate: 'Rate us',
  promo: 'Autumn sale: {{1}} off everything with code {{2}} 🍂',
  unsubscribeFooter: 'Tap "Stop promotions" to unsubscribe',
  shop: 'Shop now',
  stop: 'Stop promotions',
  collection: 'Hi {{first_name}}, our new collection just arrived ✨',
  otp: '{{1}} is your verification code.',
  otpFooter: 'This code expires in 10 minutes.',
  copyCode: 'Copy code',
  cart: 'Hi {{1}}, you left something in your cart.',
  loyalty: 'You have {{1}} loyalty points waiting for you.',
  delay: 'Your order {{1}} is delayed by {{2}} days. We are sorry!',
  blackFriday: 'BLACK FRIDAY!!! EVERYTHING MUST GO!!!',
}

const RO: typeof EN = {
  orderUpdate: 'Bună, {{1}}! Comanda ta {{2}} este pe drum și ar trebui să ajungă pe {{3}}.',
  footer: 'Livrări Rapide',
  track: 'Urmărește comanda',
  agent: 'Vorbește cu un agent',
  appointment: 'Bună ziua, {{customer_name}}! Îți reamintim de programarea din {{date}}, ora {{time}}.',
  confirm: 'Confirm',
  reschedule: 'Reprogramează',
  deliveryHeader: 'Livrare pentru comanda {{1}}',
  deliveryWindow: 'Curierul ajunge astăzi între {{1}} și {{2}}.',
  payment: 'Am primit plata de {{1}} pentru comanda {{2}}. Mulțumim!',
  invoice: 'Factura ta {{1}} este atașată.',
  followup: 'Am rezolvat problema ta?',
  yes: 'Da',
  no: 'Nu',
  feedback: 'Bună, {{1}}! Cum ți s-a părut serviciul nostru? Spune-ne într-un minut.',
  rate: 'Evaluează',
  promo: 'Reduceri de toamnă: {{1}} la tot, cu codul {{2}} 🍂',
  unsubscribeFooter: 'Apasă „Oprește promoțiile” pentru dezabonare',
  shop: 'Cumpără acum',
  stop: 'Oprește promoțiile',
  collection: 'Bună, {{first_name}}! Noua colecție tocmai a sosit ✨',
  otp: '{{1}} este codul tău de verificare.',
  otpFooter: 'Codul expiră în 10 minute.',
  copyCode: 'Copiază codul',
  cart: 'Bună, {{1}}! Ai uitat ceva în coș.',
  loyalty: 'Ai {{1}} puncte de fidelitate care te așteaptă.',
  delay: 'Comanda ta {{1}} întârzie {{2}} zile. Ne pare rău!',
  blackFriday: 'BLACK FRIDAY!!! TOTUL TREBUIE SĂ DISPARĂ!!!',
}

const LOCALIZED: Record<string, typeof EN> = { en: EN, ro: RO }

/** A realistic library of 32 templates: enough to need paging at Meta's default limit of 25. */
export function defaultTemplates(): SimTemplate[] {
  let nextId = 1_094_211_550_000_000
  const t = (template: Omit<SimTemplate, 'id'>): SimTemplate => ({
    id: String(nextId++),
    ...template,
  })
  const list: SimTemplate[] = [
    t({
      name: 'hello_world',
      language: 'en_US',
      status: 'APPROVED',
      category: 'UTILITY',
      parameter_format: 'POSITIONAL',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Hello World' },
        body('Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by Meta. Thank you for taking the time to test with us.'),
        { type: 'FOOTER', text: 'WhatsApp Business Platform sample message' },
      ],
    }),
  ]

  for (const [language, texts] of Object.entries(LOCALIZED)) {
    list.push(
      t({
        name: 'order_update',
        language,
        status: 'APPROVED',
        category: 'UTILITY',
        parameter_format: 'POSITIONAL',
        components: [
          {
            type: 'HEADER',
            format: 'IMAGE',
            example: {
              header_handle: ['https://scontent.whatsapp.net/v/t61.29466-34/order.jpg'],
            },
          },
          body(texts.orderUpdate, {
            body_text: [
              ['Ana', '#4821', '12 May'],
            ],
          }),
          { type: 'FOOTER', text: texts.footer },
          {
            type: 'BUTTONS',
            buttons: [
              QUICK(texts.track),
              QUICK(texts.agent),
            ],
          },
        ],
      }),
      t({
        name: 'appointment_reminder',
        language,
        status: 'APPROVED',
        category: 'UTILITY',
        parameter_format: 'NAMED',
        components: [
          body(texts.appointment, {
            body_text_named_params: [
              { param_name: 'customer_name', example: 'Ana' },
              { param_name: 'date', example: '12 May' },
              { param_name: 'time', example: '10:30' },
            ],
          }),
          {
            type: 'BUTTONS',
            buttons: [
              QUICK(texts.confirm),
              QUICK(texts.reschedule),
            ],
          },
        ],
      }),
      t({
        name: 'delivery_window',
        language,
        status: 'APPROVED',
        category: 'UTILITY',
        parameter_format: 'POSITIONAL',
        components: [
          {
            type: 'HEADER',
            format: 'TEXT',
            text: texts.deliveryHeader,
            example: {
              header_text: ['#4821'],
            },
          },
          body(texts.deliveryWindow, {
            body_text: [
              ['14:00', '16:00'],
            ],
          }),
        ],
      }),
      t({
        name: 'payment_received',
        language,
        status: 'APPROVED',
        category: 'UTILITY',
        parameter_format: 'POSITIONAL',
        components: [
          body(texts.payment, {
            body_text: [
              ['149,90 RON', '#4821'],
            ],
          }),
        ],
      }),
      t({
        name: 'invoice_ready',
        language,
        status: 'APPROVED',
        category: 'UTILITY',
        parameter_format: 'POSITIONAL',
        components: [
          {
            type: 'HEADER',
            format: 'DOCUMENT',
            example: {
              header_handle: ['https://scontent.whatsapp.net/v/t61.29466-34/invoice.pdf'],
            },
          },
          body(texts.invoice, {
            body_text: [
              ['F-2026-0042'],
            ],
          }),
        ],
      }),
      t({
        name: 'support_followup',
        language,
        status: 'APPROVED',
        category: 'UTILITY',
        parameter_format: 'POSITIONAL',
        components: [
          body(texts.followup),
          {
            type: 'BUTTONS',
            buttons: [
              QUICK(texts.yes),
              QUICK(texts.no),
            ],
          },
        ],
      }),
      t({
        name: 'feedback_request',
        language,
        status: 'APPROVED',
        category: 'MARKETING',
        parameter_format: 'POSITIONAL',
        components: [
          body(texts.feedback, {
            body_text: [
              ['Ana'],
            ],
          }),
          {
            type: 'BUTTONS',
            buttons: [
              {
                type: 'URL',
                text: texts.rate,
                url: 'https://shop.example.com/feedback/{{1}}',
                example: ['https://shop.example.com/feedback/4821'],
              },
            ],
          },
        ],
      }),
      t({
        name: 'seasonal_promo',
        language,
        status: 'APPROVED',
        category: 'MARKETING',
        parameter_format: 'POSITIONAL',
        components: [
          {
            type: 'HEADER',
            format: 'IMAGE',
            example: {
              header_handle: ['https://scontent.whatsapp.net/v/t61.29466-34/promo.jpg'],
            },
          },
          body(texts.promo, {
            body_text: [
              ['20%', 'TOAMNA20'],
            ],
          }),
          { type: 'FOOTER', text: texts.unsubscribeFooter },
          {
            type: 'BUTTONS',
            buttons: [
              QUICK(texts.shop),
              QUICK(texts.stop),
            ],
          },
        ],
      }),
      t({
        name: 'new_collection',
        language,
        status: 'APPROVED',
        category: 'MARKETING',
        parameter_format: 'NAMED',
        components: [
          body(texts.collection, {
            body_text_named_params: [
              { param_name: 'first_name', example: 'Ana' },
            ],
          }),
        ],
      }),
      t({
        name: 'verification_code',
        language,
        status: 'APPROVED',
        category: 'AUTHENTICATION',
        parameter_format: 'POSITIONAL',
        components: [
          {
            type: 'BODY',
            text: texts.otp,
            add_security_recommendation: true,
            example: {
              body_text: [
                ['482193'],
              ],
            },
          },
          { type: 'FOOTER', text: texts.otpFooter, code_expiration_minutes: 10 },
          {
            type: 'BUTTONS',
            buttons: [
              {
                type: 'URL',
                text: texts.copyCode,
                url: 'https://www.whatsapp.com/otp/code/?otp_type=COPY_CODE&code_expiration_minutes=10&code=otp{{1}}',
                example: ['https://www.whatsapp.com/otp/code/?otp_type=COPY_CODE&code=otp482193'],
              },
            ],
          },
        ],
      }),
      t({
        name: 'cart_reminder',
        language,
        status: 'PAUSED',
        category: 'MARKETING',
        parameter_format: 'POSITIONAL',
        quality_score: { score: 'RED' },
        components: [
          body(texts.cart, {
            body_text: [
              ['Ana'],
            ],
          }),
        ],
      }),
      t({
        name: 'loyalty_points',
        language,
        status: 'PENDING',
        category: 'MARKETING',
        parameter_format: 'POSITIONAL',
        components: [
          body(texts.loyalty, {
            body_text: [
              ['120'],
            ],
          }),
        ],
      }),
      t({
        name: 'shipping_delay',
        language,
        status: language === 'en'
          ? 'APPROVED'
          : 'PENDING',
        category: 'UTILITY',
        parameter_format: 'POSITIONAL',
        components: [
          body(texts.delay, {
            body_text: [
              ['#4821', '2'],
            ],
          }),
        ],
      }),
      t({
        name: 'black_friday',
        language,
        status: 'REJECTED',
        category: 'MARKETING',
        parameter_format: 'POSITIONAL',
        rejected_reason: 'PROMOTIONAL',
        components: [
          body(texts.blackFriday),
        ],
      }),
    )
  }

  list.push(
    t({
      name: 'store_location',
      language: 'en',
      status: 'APPROVED',
      category: 'UTILITY',
      parameter_format: 'POSITIONAL',
      components: [
        { type: 'HEADER', format: 'LOCATION' },
        body('Our Cluj store is open today from {{1}} to {{2}}.', {
          body_text: [
            ['09:00', '20:00'],
          ],
        }),
      ],
    }),
    t({
      name: 'old_newsletter',
      language: 'en',
      status: 'DISABLED',
      category: 'MARKETING',
      parameter_format: 'POSITIONAL',
      quality_score: { score: 'RED' },
      components: [
        body('Our monthly newsletter is here, {{1}}!', {
          body_text: [
            ['Ana'],
          ],
        }),
      ],
    }),
    t({
      name: 'welcome_video',
      language: 'en',
      status: 'APPROVED',
      category: 'MARKETING',
      parameter_format: 'POSITIONAL',
      components: [
        {
          type: 'HEADER',
          format: 'VIDEO',
          example: {
            header_handle: ['https://scontent.whatsapp.net/v/t61.29466-34/welcome.mp4'],
          },
        },
        body('Welcome to Livrări Rapide, {{1}}! Watch how we pack your orders.', {
          body_text: [
            ['Ana'],
          ],
        }),
      ],
    }),
  )
  return list
}

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
  const name = String(template.name)
  const language = String((template.language as Record<string, unknown>).code)
  const found = findTemplate(templates, name, language)
  if (!found || !['APPROVED', 'PAUSED', 'DISABLED'].includes(found.status))
    throw whatsappError(132001, traceId(), `template name (${name}) does not exist in ${language}`, overrides)
  if (found.status === 'PAUSED')
    throw whatsappError(132015, traceId(), undefined, overrides)
  if (found.status === 'DISABLED')
    throw whatsappError(132016, traceId(), undefined, overrides)

  const sent = (template.components ?? []) as SentComponent[]
  if (!Array.isArray(sent))
    throw whatsappError(100, traceId(), 'Param template[\'components\'] must be an array.', overrides)
  const mismatch = (where: string, given: number, expected: number) =>
    whatsappError(132000, traceId(), `${where}: number of localizable_params (${given}) does not match the expected number of params (${expected})`, overrides)
  const formatError = (details: string) => whatsappError(132012, traceId(), details, overrides)

  const byType = (type: string) => sent.filter(component => String(component.type).toLowerCase() === type)
  for (const component of sent) {
    if (!['header', 'body', 'button', 'footer'].includes(String(component.type).toLowerCase()))
      throw whatsappError(100, traceId(), `Invalid component type: ${String(component.type)}`, overrides)
    if (component.parameters !== undefined && !Array.isArray(component.parameters))
      throw whatsappError(100, traceId(), 'Param template[\'components\'][\'parameters\'] must be an array.', overrides)
  }
  const paramsOf = (components: SentComponent[]) => components.flatMap(component => (component.parameters ?? []) as SentParameter[])

  // Header
  const header = found.components.find(component => component.type === 'HEADER')
  const headerParams = paramsOf(byType('header'))
  if (header?.format && MEDIA_HEADER_FORMATS.has(header.format)) {
    if (headerParams.length !== 1)
      throw mismatch('header', headerParams.length, 1)
    const expected = header.format.toLowerCase()
    const param = headerParams[0]!
    if (param.type !== expected)
      throw formatError(`header: Format mismatch, expected ${header.format}, received ${String(param.type).toUpperCase()}`)
    const media = param[expected] as Record<string, unknown> | undefined
    if (!media || (typeof media.id !== 'string' && typeof media.link !== 'string'))
      throw whatsappError(131008, traceId(), `The parameter ${expected}['id'] or ${expected}['link'] is required.`, overrides)
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

  // Body
  const bodyComponent = found.components.find(component => component.type === 'BODY')
  const bodyVariables = templateVariables(bodyComponent?.text)
  const bodyParams = paramsOf(byType('body'))
  if (bodyParams.length !== bodyVariables.length)
    throw mismatch('body', bodyParams.length, bodyVariables.length)
  checkTextParams(bodyParams, found, 'body', bodyVariables, formatError, mismatch)

  // Buttons: dynamic URL buttons need exactly one text parameter; quick replies take an optional payload.
  const buttons = found.components.find(component => component.type === 'BUTTONS')?.buttons ?? []
  const sentButtons = byType('button')
  for (const component of sentButtons) {
    const index = Number(component.index)
    const button = buttons[index]
    if (!Number.isInteger(index) || !button)
      throw whatsappError(131009, traceId(), `Button at index ${String(component.index)} does not exist in template ${name}.`, overrides)
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
  return found
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
