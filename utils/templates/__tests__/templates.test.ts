import { describe, expect, it } from 'vitest'
import { appointmentReminder, deliveryWindow, feedbackRequest, orderUpdate, template } from '~/components/composer/__tests__/helpers'
import { groupTemplates, preferredLanguage } from '~/utils/templates/groups'
import { buildTemplateMessage, isTemplateComplete, previewTemplate } from '~/utils/templates/message'
import { parseTemplate, templateVariables } from '~/utils/templates/parse'

const orderEn = orderUpdate('t-order-en', 'en', 'Hi {{1}}, your order {{2}} is on its way and should arrive on {{3}}.')
const orderRo = orderUpdate('t-order-ro', 'ro', 'Bună, {{1}}! Comanda ta {{2}} este pe drum și ar trebui să ajungă pe {{3}}.')

describe('templateVariables', () => {
  it('lists each variable once, in order, with or without spaces', () => {
    expect(templateVariables('{{2}} and {{ 1 }} then {{2}} and {{first_name}}')).toEqual(['2', '1', 'first_name'])
  })
})

describe('parseTemplate', () => {
  it('needs positional body variables in numeric order and a media header', () => {
    const parsed = parseTemplate(orderEn)
    expect(parsed.fields.map(f => [f.key, f.kind])).toEqual([
      ['header.media', 'media'],
      ['body.1', 'text'],
      ['body.2', 'text'],
      ['body.3', 'text'],
    ])
    expect(parsed.fields[1]!.example).toBe('Ana')
    expect(parsed.footer).toBe('Livrări Rapide')
    expect(parsed.buttons.map(b => b.text)).toEqual(['Track order', 'Talk to an agent'])
    expect(parsed.unsupported).toBeNull()
  })

  it('reads named variables with their examples', () => {
    const parsed = parseTemplate(appointmentReminder)
    expect(parsed.fields.map(f => [f.key, f.example])).toEqual([
      ['body.customer_name', 'Ana'],
      ['body.date', '12 May'],
      ['body.time', '10:30'],
    ])
  })

  it('asks for a text header variable and a URL button suffix', () => {
    expect(parseTemplate(deliveryWindow).fields.map(f => f.key)).toEqual(['header.1', 'body.1', 'body.2'])
    expect(parseTemplate(feedbackRequest).fields.map(f => [f.key, f.buttonIndex, f.example])).toEqual([
      ['body.1', undefined, 'Ana'],
      ['button.0', 0, 'https://shop.example.com/feedback/4821'],
    ])
  })

  it('marks what the send API cannot fill (location header, copy-code button)', () => {
    const location = template('t-loc', {
      name: 'store_location',
      components: [
        { type: 'HEADER', format: 'LOCATION' },
        { type: 'BODY', text: 'Open from {{1}}' },
      ],
    })
    const copyCode = template('t-otp', {
      name: 'otp',
      components: [
        { type: 'BODY', text: '{{1}} is your code' },
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'COPY_CODE', text: 'Copy' },
          ],
        },
      ],
    })
    expect(parseTemplate(location).unsupported).toBe('location_header')
    expect(parseTemplate(copyCode).unsupported).toBe('copy_code')
    expect(isTemplateComplete(parseTemplate(copyCode), { 'body.1': '1234' })).toBe(false)
  })
})

describe('previewTemplate and buildTemplateMessage', () => {
  it('fills positional variables; the message lists them in order', () => {
    const parsed = parseTemplate(orderEn)
    const values = {
      'body.1': ' Ana ',
      'body.2': '#4821',
      'body.3': '12 May',
      'header.media': 'media-9',
    }
    expect(previewTemplate(parsed, values).body).toBe('Hi Ana, your order #4821 is on its way and should arrive on 12 May.')
    expect(isTemplateComplete(parsed, values)).toBe(true)
    expect(buildTemplateMessage(parsed, values, 'c-1')).toEqual({
      clientId: 'c-1',
      type: 'template',
      template: {
        name: 'order_update',
        language: 'en',
        header: [
          { type: 'image', mediaId: 'media-9' },
        ],
        body: [
          { type: 'text', text: 'Ana' },
          { type: 'text', text: '#4821' },
          { type: 'text', text: '12 May' },
        ],
      },
    })
  })

  it('keeps unfilled variables visible and is incomplete until every field is filled', () => {
    const parsed = parseTemplate(orderEn)
    const values = { 'body.1': 'Ana', 'body.2': '   ' }
    expect(previewTemplate(parsed, values).body).toBe('Hi Ana, your order {{2}} is on its way and should arrive on {{3}}.')
    expect(isTemplateComplete(parsed, values)).toBe(false)
  })

  it('names the parameters of a NAMED template', () => {
    const parsed = parseTemplate(appointmentReminder)
    const values = { 'body.customer_name': 'Ana', 'body.date': '12 May', 'body.time': '10:30' }
    expect(previewTemplate(parsed, values).body).toBe('Hello Ana, this is a reminder of your appointment on 12 May at 10:30.')
    expect(buildTemplateMessage(parsed, values, 'c-2').template.body).toEqual([
      { type: 'text', text: 'Ana', name: 'customer_name' },
      { type: 'text', text: '12 May', name: 'date' },
      { type: 'text', text: '10:30', name: 'time' },
    ])
  })

  it('sends a text header and a URL button parameter', () => {
    const delivery = parseTemplate(deliveryWindow)
    const values = { 'header.1': '#4821', 'body.1': '14:00', 'body.2': '16:00' }
    expect(previewTemplate(delivery, values).header).toBe('Delivery for order #4821')
    expect(buildTemplateMessage(delivery, values, 'c-3').template.header).toEqual([
      { type: 'text', text: '#4821' },
    ])

    const feedback = parseTemplate(feedbackRequest)
    const message = buildTemplateMessage(feedback, { 'body.1': 'Ana', 'button.0': '4821' }, 'c-4')
    expect(message.template.buttons).toEqual([
      {
        index: 0,
        subType: 'url',
        parameter: { type: 'text', text: '4821' },
      },
    ])
    expect(previewTemplate(feedback, { 'button.0': '4821' }).buttons[0]!.url).toBe('https://shop.example.com/feedback/4821')
  })

  it('omits components without parameters', () => {
    const plain = template('t-plain', {
      name: 'support_followup',
      components: [
        { type: 'BODY', text: 'Did we solve your problem?' },
      ],
    })
    expect(buildTemplateMessage(parseTemplate(plain), {}, 'c-5').template).toEqual({ name: 'support_followup', language: 'en' })
  })
})

describe('groupTemplates', () => {
  it('lists approved templates by name with their languages, filtered by search', () => {
    const pending = template('t-pending', { name: 'loyalty_points', status: 'PENDING', components: [] })
    const rejected = template('t-rej', { name: 'black_friday', status: 'REJECTED', components: [] })
    const all = [
      orderRo,
      feedbackRequest,
      pending,
      orderEn,
      rejected,
      appointmentReminder,
    ]
    expect(groupTemplates(all).map(g => [
      g.name,
      g.templates.map(t => t.language),
    ])).toEqual([
      [
        'appointment_reminder',
        ['en'],
      ],
      [
        'feedback_request',
        ['en'],
      ],
      [
        'order_update',
        ['en', 'ro'],
      ],
    ])
    expect(groupTemplates(all, 'order up').map(g => g.name)).toEqual(['order_update'])
    expect(groupTemplates(all, 'loyalty')).toEqual([])
  })
})

describe('preferredLanguage', () => {
  it.each([
    ['ro', 't-order-ro'],
    ['ro-RO', 't-order-ro'],
    ['en-GB', 't-order-en'],
    [null, 't-order-en'],
  ])('contact language %s → %s', (language, id) => {
    expect(preferredLanguage([orderEn, orderRo], language)?.id).toBe(id)
  })

  it('matches en_US to an `en` contact', () => {
    const us = { ...orderEn, id: 't-us', language: 'en_US' }
    expect(preferredLanguage([orderRo, us], 'en')?.id).toBe('t-us')
  })
})
