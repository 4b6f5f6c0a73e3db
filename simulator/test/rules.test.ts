import type { Harness } from './helpers.ts'
import { afterEach, describe, expect, it } from 'vitest'
import { ACCESS_TOKEN, MESSAGES_PATH, PHONE_NUMBER_ID, startHarness, textTo, WABA_ID } from './helpers.ts'

let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

const ANA = { waId: '40722123456', name: 'Ana Popescu' }
const DAY = 24 * 60 * 60 * 1000

function expectEnvelope(json: any, code: number, title: string) {
  expect(json.error).toEqual({
    message: `(#${code}) ${title}`,
    type: 'OAuthException',
    code,
    ...(code === 130429
      ? { error_subcode: 2494055 }
      : {}),
    error_data: {
      messaging_product: 'whatsapp',
      details: expect.any(String),
    },
    fbtrace_id: expect.stringMatching(/^A\w{22}$/),
  })
}

function template(name: string, language: string, components?: unknown[]) {
  return {
    messaging_product: 'whatsapp',
    to: '40722123456',
    type: 'template',
    template: {
      name,
      language: { code: language },
      ...(components
        ? { components }
        : {}),
    },
  }
}

describe('access token (190)', () => {
  it('answers 401 with code 190 for a missing, wrong or expired token', async () => {
    harness = await startHarness()
    const missing = await harness.graph('POST', MESSAGES_PATH, textTo('40722123456', 'hi'), { token: null })
    expect(missing.status).toBe(401)
    expect(missing.json.error).toMatchObject({ code: 190, type: 'OAuthException' })
    expect(missing.json.error.error_data).toBeUndefined()

    const wrong = await harness.graph('GET', `/v25.0/${PHONE_NUMBER_ID}`, undefined, { token: 'EAAG-nope' })
    expect(wrong.status).toBe(401)
    expect(wrong.json.error).toEqual({
      message: 'Error validating access token: The session is invalid because the user logged out.',
      type: 'OAuthException',
      code: 190,
      error_subcode: 467,
      fbtrace_id: expect.any(String),
    })
    expect(wrong.headers.get('www-authenticate')).toContain('invalid_token')

    harness.sim.expireAccessToken('EAAG-fresh')
    const expired = await harness.graph('GET', `/v25.0/${PHONE_NUMBER_ID}`)
    expect(expired.status).toBe(401)
    expect(expired.json.error).toMatchObject({ code: 190, error_subcode: 463 })
    expect((await harness.graph('GET', `/v25.0/${PHONE_NUMBER_ID}`, undefined, { token: 'EAAG-fresh' })).status).toBe(200)
    expect(harness.sim.outbound[0]).toMatchObject({
      httpStatus: 401,
      error: { code: 190 },
    })
  })

  it('accepts the token as an access_token query parameter', async () => {
    harness = await startHarness()
    const answer = await harness.graph('GET', `/v25.0/${PHONE_NUMBER_ID}?access_token=${ACCESS_TOKEN}`, undefined, { token: null })
    expect(answer.status).toBe(200)
    expect(answer.json).toMatchObject({ id: PHONE_NUMBER_ID, display_phone_number: '+1 555-078-3881', quality_rating: 'GREEN' })
  })
})

describe('request validation (100, 131008, 131051)', () => {
  const cases: [string, unknown, number, RegExp][] = [
    [
      'unknown root field',
      {
        ...textTo('40722123456', 'hi'),
        colour: 'red',
      },
      100,
      /"colour"/,
    ],
    [
      'unknown text field',
      {
        messaging_product: 'whatsapp',
        to: '40722123456',
        type: 'text',
        text: { body: 'x', bold: true },
      },
      100,
      /"bold" on param "text"/,
    ],
    [
      'body over 4096 characters',
      textTo('40722123456', 'a'.repeat(4097)),
      100,
      /text\['body'\] must be at most 4096/,
    ],
    [
      'wrong messaging_product',
      {
        ...textTo('40722123456', 'hi'),
        messaging_product: 'sms',
      },
      100,
      /messaging_product/,
    ],
    [
      'invalid phone number',
      textTo('not-a-number', 'hi'),
      100,
      /Param to/,
    ],
    [
      'caption on audio',
      {
        messaging_product: 'whatsapp',
        to: '40722123456',
        type: 'audio',
        audio: { id: '1', caption: 'no' },
      },
      100,
      /"caption" on param "audio"/,
    ],
    [
      'four reply buttons',
      {
        messaging_product: 'whatsapp',
        to: '40722123456',
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: 'Alege' },
          action: {
            buttons: [1, 2, 3, 4].map(i => ({
              type: 'reply',
              reply: { id: `b${i}`, title: `B${i}` },
            })),
          },
        },
      },
      131009,
      /at most 3/,
    ],
    [
      'button title over 20 characters',
      {
        messaging_product: 'whatsapp',
        to: '40722123456',
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: 'Alege' },
          action: {
            buttons: [
              {
                type: 'reply',
                reply: { id: 'x', title: 'A very long title indeed' },
              },
            ],
          },
        },
      },
      100,
      /title'\] must be at most 20/,
    ],
    [
      'missing text body',
      {
        messaging_product: 'whatsapp',
        to: '40722123456',
        type: 'text',
        text: {},
      },
      131008,
      /text\['body'\] is required/,
    ],
    [
      'missing recipient',
      {
        messaging_product: 'whatsapp',
        type: 'text',
        text: { body: 'hi' },
      },
      131008,
      /parameter to is required/,
    ],
    [
      'missing messaging_product',
      {
        to: '40722123456',
        text: { body: 'hi' },
      },
      131008,
      /messaging_product is required/,
    ],
    [
      'missing type object',
      { messaging_product: 'whatsapp', to: '40722123456', type: 'image' },
      131008,
      /parameter image is required/,
    ],
    [
      'media without id or link',
      {
        messaging_product: 'whatsapp',
        to: '40722123456',
        type: 'image',
        image: { caption: 'x' },
      },
      131008,
      /image\['id'\] or image\['link'\]/,
    ],
    [
      'list without sections',
      {
        messaging_product: 'whatsapp',
        to: '40722123456',
        type: 'interactive',
        interactive: {
          type: 'list',
          body: { text: 'Alege' },
          action: { button: 'Opțiuni' },
        },
      },
      131008,
      /sections/,
    ],
    [
      'unsupported type',
      {
        messaging_product: 'whatsapp',
        to: '40722123456',
        type: 'poll',
        poll: {},
      },
      100,
      /"poll"/,
    ],
    [
      'unsupported type value',
      { messaging_product: 'whatsapp', to: '40722123456', type: 'poll' },
      131051,
      /poll/,
    ],
  ]

  it.each(cases)('%s', async (_name, body, code, details) => {
    harness = await startHarness()
    await harness.sim.receive(ANA, { type: 'text', body: 'hi' })
    const answer = await harness.graph('POST', MESSAGES_PATH, body)
    expect(answer.status).toBe(400)
    expect(answer.json.error.code).toBe(code)
    expect(answer.json.error.error_data.details).toMatch(details)
    expect(harness.sim.outbound.at(-1)).toMatchObject({
      httpStatus: 400,
      error: { code },
    })
    expect(harness.sim.outbound.at(-1)!.wamid).toBeUndefined()
  })

  it('answers malformed JSON with code 100', async () => {
    harness = await startHarness()
    const answer = await harness.graph('POST', MESSAGES_PATH, '{"messaging_product":')
    expect(answer.status).toBe(400)
    expectEnvelope(answer.json, 100, 'Invalid parameter')
  })

  it('accepts interactive buttons and lists, location, contacts, media links and replies', async () => {
    harness = await startHarness()
    const inbound = await harness.sim.receive(ANA, { type: 'text', body: 'hi' })
    const bodies = [
      {
        type: 'interactive',
        interactive: {
          type: 'button',
          header: { type: 'text', text: 'Livrare' },
          body: { text: 'Când vă convine?' },
          footer: { text: 'Livrări Rapide' },
          action: {
            buttons: [
              {
                type: 'reply',
                reply: { id: 'am', title: 'Dimineața' },
              },
              {
                type: 'reply',
                reply: { id: 'pm', title: 'După-amiaza' },
              },
            ],
          },
        },
      },
      {
        type: 'interactive',
        interactive: {
          type: 'list',
          body: { text: 'Alegeți orașul' },
          action: {
            button: 'Orașe',
            sections: [
              {
                title: 'Transilvania',
                rows: [
                  { id: 'cj', title: 'Cluj', description: '24h' },
                ],
              },
              {
                title: 'Muntenia',
                rows: [
                  { id: 'b', title: 'București' },
                ],
              },
            ],
          },
        },
      },
      {
        type: 'location',
        location: { latitude: 46.77, longitude: 23.62, name: 'Depozit' },
      },
      {
        type: 'contacts',
        contacts: [
          {
            name: { formatted_name: 'Suport' },
            phones: [
              { phone: '+40 21 000 0000' },
            ],
          },
        ],
      },
      {
        type: 'image',
        image: { link: 'https://cdn.example.com/a.jpg', caption: 'Colet' },
      },
      {
        type: 'document',
        document: { link: 'https://cdn.example.com/f.pdf', filename: 'Factură.pdf' },
      },
      {
        type: 'text',
        text: { body: 'Răspuns citat', preview_url: false },
        context: { message_id: inbound },
      },
    ]
    for (const body of bodies) {
      const answer = await harness.graph('POST', MESSAGES_PATH, {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '+40722123456',
        ...body,
      })
      expect(answer.status, JSON.stringify(answer.json)).toBe(200)
      expect(answer.json.messages[0].id).toMatch(/^wamid\./)
    }
    // type defaults to text
    expect((await harness.graph('POST', MESSAGES_PATH, {
      messaging_product: 'whatsapp',
      to: '40722123456',
      text: { body: 'implicit' },
    })).status).toBe(200)
  })
})

describe('24-hour window (131047)', () => {
  it('status mode: accepts a free-form send outside the window, then fails it', async () => {
    harness = await startHarness({ frozenClock: true })
    const answer = await harness.graph('POST', MESSAGES_PATH, textTo('40722123456', 'Salut!'))
    expect(answer.status).toBe(200)
    const wamid = answer.json.messages[0].id
    await harness.sim.flush()
    const statuses = harness.statuses()
    expect(statuses).toEqual([
      {
        id: wamid,
        status: 'failed',
        timestamp: expect.any(String),
        recipient_id: '40722123456',
        errors: [
          {
            code: 131047,
            title: 'Re-engagement message',
            message: 'Re-engagement message',
            error_data: { details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' },
            href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
          },
        ],
      },
    ])
    expect(harness.values()[0].contacts).toBeUndefined()
    expect(harness.sim.outbound[0]).toMatchObject({ wamid, failureCode: 131047 })
  })

  it('opens on the customer\'s message timestamp and closes 24 h later on the simulator clock', async () => {
    harness = await startHarness({
      frozenClock: true,
      windowErrorMode: 'sync',
      startTime: Date.UTC(2026, 10, 24, 9, 0, 0),
    })
    await harness.sim.receive(ANA, { type: 'text', body: 'Bună!' })
    expect((await harness.graph('POST', MESSAGES_PATH, textTo('40722123456', 'Bună ziua!'))).status).toBe(200)
    harness.sim.clock.advance(DAY - 1000)
    expect((await harness.graph('POST', MESSAGES_PATH, textTo('40722123456', 'Încă aici'))).status).toBe(200)
    harness.sim.clock.advance(1000)
    const closed = await harness.graph('POST', MESSAGES_PATH, textTo('40722123456', 'Prea târziu'))
    expect(closed.status).toBe(400)
    expectEnvelope(closed.json, 131047, 'Re-engagement message')
    expect(closed.json.error.error_data.details).toBe('Message failed to send because more than 24 hours have passed since the customer last replied to this number.')
    // Templates are always allowed.
    expect((await harness.graph('POST', MESSAGES_PATH, template('hello_world', 'en_US'))).status).toBe(200)
    // A reaction does not reopen the window; a new message does.
    await harness.sim.receive(ANA, { type: 'reaction', messageId: 'wamid.x', emoji: '👍' })
    expect((await harness.graph('POST', MESSAGES_PATH, textTo('40722123456', 'x'))).status).toBe(400)
    await harness.sim.receive(ANA, { type: 'text', body: 'Revin' })
    expect((await harness.graph('POST', MESSAGES_PATH, textTo('40722123456', 'x'))).status).toBe(200)
  })

  it('uses the inbound timestamp, not its arrival', async () => {
    harness = await startHarness({ frozenClock: true, windowErrorMode: 'sync' })
    const now = Math.floor(harness.sim.clock.now() / 1000)
    await harness.sim.receive(ANA, { type: 'text', body: 'ieri', timestamp: now - 25 * 3600 })
    expect((await harness.graph('POST', MESSAGES_PATH, textTo('40722123456', 'x'))).json.error.code).toBe(131047)
  })
})

describe('asynchronous failures (130472, 131026, 131053)', () => {
  it('fails marketing templates to experiment users with 130472 but delivers utility ones', async () => {
    harness = await startHarness({
      experimentRecipients: ['40722123456'],
    })
    const marketing = await harness.graph('POST', MESSAGES_PATH, template('new_collection', 'en', [
      {
        type: 'body',
        parameters: [
          { type: 'text', parameter_name: 'first_name', text: 'Ana' },
        ],
      },
    ]))
    expect(marketing.status).toBe(200)
    expect(marketing.json.messages[0].message_status).toBe('accepted')
    await harness.sim.flush()
    const failed = harness.statuses()
    expect(failed.map(s => s.status)).toEqual(['failed'])
    expect(failed[0].errors[0]).toMatchObject({
      code: 130472,
      title: 'User\'s number is part of an experiment',
      error_data: { details: 'Failed to send message because this user\'s phone number is part of an experiment' },
    })
    await harness.graph('POST', MESSAGES_PATH, template('payment_received', 'en', [
      {
        type: 'body',
        parameters: [
          { type: 'text', text: '99 RON' },
          { type: 'text', text: '#1' },
        ],
      },
    ]))
    await harness.sim.flush()
    expect(harness.statuses().slice(1).map(s => s.status)).toEqual(['sent', 'delivered', 'read'])
  })

  it('fails any send to an undeliverable number with 131026', async () => {
    harness = await startHarness({
      undeliverableRecipients: ['+40 700 000 000'],
    })
    const answer = await harness.graph('POST', MESSAGES_PATH, {
      ...template('hello_world', 'en_US'),
      to: '40700000000',
    })
    expect(answer.status).toBe(200)
    await harness.sim.flush()
    expect(harness.statuses()[0]).toMatchObject({
      status: 'failed',
      recipient_id: '40700000000',
      errors: [
        { code: 131026, title: 'Message undeliverable' },
      ],
    })
  })

  it('fails a template whose image header uses an unknown media id with 131053', async () => {
    harness = await startHarness()
    const answer = await harness.graph('POST', MESSAGES_PATH, template('order_update', 'en', [
      {
        type: 'header',
        parameters: [
          {
            type: 'image',
            image: { id: '4242' },
          },
        ],
      },
      {
        type: 'body',
        parameters: ['Ana', '#1', 'mâine'].map(text => ({ type: 'text', text })),
      },
    ]))
    expect(answer.status).toBe(200)
    await harness.sim.flush()
    expect(harness.statuses().map(s => [s.status, s.errors?.[0].code])).toEqual([
      ['failed', 131053],
    ])
  })

  it('sends to a BSUID with recipient, but never delivers a BSUID passed in to', async () => {
    harness = await startHarness()
    const bsuid = 'US.13491208655302741918'
    await harness.sim.receive({ userId: bsuid, username: 'mihai.c', name: 'Mihai' }, { type: 'text', body: 'Salut' })
    const good = await harness.graph('POST', MESSAGES_PATH, {
      messaging_product: 'whatsapp',
      recipient: bsuid,
      type: 'text',
      text: { body: 'Bună!' },
    })
    expect(good.json.contacts).toEqual([
      { input: bsuid, user_id: bsuid },
    ])
    await harness.sim.flush()
    expect(harness.statuses().map(s => [s.status, s.recipient_id])).toEqual([
      ['sent', bsuid],
      ['delivered', bsuid],
      ['read', bsuid],
    ])
    const silent = await harness.graph('POST', MESSAGES_PATH, {
      messaging_product: 'whatsapp',
      to: bsuid,
      type: 'text',
      text: { body: 'Bună!' },
    })
    expect(silent.status).toBe(200)
    expect(silent.json.messages[0].id).toMatch(/^wamid\./)
    await harness.sim.flush()
    expect(harness.statuses()).toHaveLength(3)
  })

  it('fails a media send whose uploaded id is unknown or of the wrong kind with 131053', async () => {
    harness = await startHarness()
    await harness.sim.receive(ANA, { type: 'text', body: 'hi' })
    const jpeg = harness.sim.media.put(new Uint8Array([0xFF, 0xD8, 0xFF]), 'image/jpeg')
    for (const body of [
      {
        type: 'image',
        image: { id: '999' },
      },
      {
        type: 'sticker',
        sticker: { id: jpeg },
      },
    ])
      expect((await harness.graph('POST', MESSAGES_PATH, { messaging_product: 'whatsapp', to: '40722123456', ...body })).status).toBe(200)
    await harness.sim.flush()
    expect(harness.statuses().map(s => [s.status, s.errors?.[0].code])).toEqual([
      ['failed', 131053],
      ['failed', 131053],
    ])
  })
})

describe('rate limits (130429, 131056)', () => {
  it('limits throughput per phone number with a token bucket', async () => {
    harness = await startHarness({ frozenClock: true, throughputPerSecond: 5 })
    const customers = Array.from({ length: 7 }, (_, i) => `4072200010${i}`)
    const answers = []
    for (const to of customers) {
      answers.push(await harness.graph('POST', MESSAGES_PATH, {
        ...template('hello_world', 'en_US'),
        to,
      }))
    }
    expect(answers.map(a => a.status)).toEqual([200, 200, 200, 200, 200, 429, 429])
    expectEnvelope(answers[5]!.json, 130429, 'Rate limit hit')
    harness.sim.clock.advance(200)
    expect((await harness.graph('POST', MESSAGES_PATH, {
      ...template('hello_world', 'en_US'),
      to: '40722000999',
    })).status).toBe(200)
    expect((await harness.graph('POST', MESSAGES_PATH, {
      ...template('hello_world', 'en_US'),
      to: '40722000998',
    })).status).toBe(429)
  })

  it('takes tokens only for accepted sends', async () => {
    harness = await startHarness({
      frozenClock: true,
      throughputPerSecond: 2,
      pairLimit: { intervalMs: 6000, burst: 2 },
    })
    for (let i = 0; i < 3; i++)
      expect((await harness.graph('POST', MESSAGES_PATH, template('no_such_template', 'en'))).status).toBe(404)
    const statuses = []
    for (let i = 0; i < 3; i++)
      statuses.push((await harness.graph('POST', MESSAGES_PATH, template('hello_world', 'en_US'))).json.error?.code ?? 200)
    expect(statuses).toEqual([200, 200, 130429])
  })

  it('can answer 130429 with HTTP 400 instead', async () => {
    harness = await startHarness({
      frozenClock: true,
      throughputPerSecond: 1,
      httpStatusOverrides: { 130429: 400 },
    })
    await harness.graph('POST', MESSAGES_PATH, template('hello_world', 'en_US'))
    const limited = await harness.graph('POST', MESSAGES_PATH, template('hello_world', 'en_US'))
    expect(limited.status).toBe(400)
    expect(limited.json.error.code).toBe(130429)
  })

  it('limits messages to one recipient with the pair limit', async () => {
    harness = await startHarness({
      frozenClock: true,
      pairLimit: { intervalMs: 6000, burst: 3 },
    })
    const statuses = []
    for (let i = 0; i < 4; i++)
      statuses.push((await harness.graph('POST', MESSAGES_PATH, template('hello_world', 'en_US'))).status)
    expect(statuses).toEqual([200, 200, 200, 400])
    const limited = await harness.graph('POST', MESSAGES_PATH, template('hello_world', 'en_US'))
    expectEnvelope(limited.json, 131056, '(Business Account, Consumer Account) pair rate limit hit')
    expect((await harness.graph('POST', MESSAGES_PATH, {
      ...template('hello_world', 'en_US'),
      to: '40733000000',
    })).status).toBe(200)
    harness.sim.clock.advance(5999)
    expect((await harness.graph('POST', MESSAGES_PATH, template('hello_world', 'en_US'))).status).toBe(400)
    harness.sim.clock.advance(1)
    expect((await harness.graph('POST', MESSAGES_PATH, template('hello_world', 'en_US'))).status).toBe(200)
  })
})

describe('templates (132001, 132000, 132012, 132015, 132016)', () => {
  const cases: [string, ReturnType<typeof template>, number, number, RegExp][] = [
    [
      'unknown name',
      template('no_such_template', 'en'),
      404,
      132001,
      /template name \(no_such_template\) does not exist in en/,
    ],
    [
      'unknown translation',
      template('hello_world', 'ro'),
      404,
      132001,
      /does not exist in ro/,
    ],
    [
      'pending',
      template('loyalty_points', 'en', [
        {
          type: 'body',
          parameters: [
            { type: 'text', text: '1' },
          ],
        },
      ]),
      404,
      132001,
      /loyalty_points/,
    ],
    [
      'rejected',
      template('black_friday', 'en'),
      404,
      132001,
      /black_friday/,
    ],
    [
      'approved in en, pending in ro',
      template('shipping_delay', 'ro', [
        {
          type: 'body',
          parameters: [
            { type: 'text', text: '#1' },
            { type: 'text', text: '2' },
          ],
        },
      ]),
      404,
      132001,
      /shipping_delay/,
    ],
    [
      'paused',
      template('cart_reminder', 'en', [
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Ana' },
          ],
        },
      ]),
      400,
      132015,
      /paused/,
    ],
    [
      'disabled',
      template('old_newsletter', 'en', [
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Ana' },
          ],
        },
      ]),
      400,
      132016,
      /disabled/,
    ],
    [
      'too few body params',
      template('payment_received', 'ro', [
        {
          type: 'body',
          parameters: [
            { type: 'text', text: '99 RON' },
          ],
        },
      ]),
      400,
      132000,
      /body: number of localizable_params \(1\) does not match the expected number of params \(2\)/,
    ],
    [
      'body params missing',
      template('payment_received', 'ro'),
      400,
      132000,
      /\(0\) does not match the expected number of params \(2\)/,
    ],
    [
      'params for a template without variables',
      template('support_followup', 'en', [
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'x' },
          ],
        },
      ]),
      400,
      132000,
      /\(1\) does not match the expected number of params \(0\)/,
    ],
    [
      'image header missing',
      template('order_update', 'en', [
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Ana' },
            { type: 'text', text: '#1' },
            { type: 'text', text: 'mâine' },
          ],
        },
      ]),
      400,
      132000,
      /header/,
    ],
    [
      'unknown named parameter',
      template('appointment_reminder', 'ro', [
        {
          type: 'body',
          parameters: [
            ['customer_name', 'Ana'],
            ['date', '12 mai'],
            ['hour', '10:30'],
          ].map(([parameter_name, text]) => ({ type: 'text', parameter_name, text })),
        },
      ]),
      400,
      132000,
      /body/,
    ],
    [
      'text given for an image header',
      template('order_update', 'en', [
        {
          type: 'header',
          parameters: [
            { type: 'text', text: 'x' },
          ],
        },
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Ana' },
            { type: 'text', text: '#1' },
            { type: 'text', text: 'mâine' },
          ],
        },
      ]),
      400,
      132012,
      /expected IMAGE/,
    ],
    [
      'named template without parameter_name',
      template('new_collection', 'en', [
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Ana' },
          ],
        },
      ]),
      400,
      132012,
      /parameter_name/,
    ],
    [
      'dynamic URL button without its parameter',
      template('feedback_request', 'en', [
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Ana' },
          ],
        },
      ]),
      400,
      132000,
      /button/,
    ],
  ]

  it.each(cases)('%s', async (_name, body, status, code, details) => {
    harness = await startHarness()
    const answer = await harness.graph('POST', MESSAGES_PATH, body)
    expect(answer.status).toBe(status)
    expect(answer.json.error.code).toBe(code)
    expect(answer.json.error.message).toMatch(new RegExp(`^\\(#${code}\\) `))
    expect(answer.json.error.error_data.details).toMatch(details)
  })

  it('accepts correct positional, named, media-header, button and OTP sends', async () => {
    harness = await startHarness()
    const image = harness.sim.media.put(new Uint8Array([0xFF, 0xD8, 0xFF]), 'image/jpeg')
    const sends = [
      template('hello_world', 'en_US'),
      template('order_update', 'ro', [
        {
          type: 'header',
          parameters: [
            {
              type: 'image',
              image: { id: image },
            },
          ],
        },
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Ana' },
            { type: 'text', text: '#4821' },
            { type: 'text', text: '12 mai' },
          ],
        },
        {
          type: 'button',
          sub_type: 'quick_reply',
          index: '0',
          parameters: [
            { type: 'payload', payload: 'TRACK_4821' },
          ],
        },
      ]),
      template('appointment_reminder', 'en', [
        {
          type: 'body',
          parameters: [
            ['time', '10:30'],
            ['customer_name', 'Ana'],
            ['date', '12 May'],
          ].map(([parameter_name, text]) => ({ type: 'text', parameter_name, text })),
        },
      ]),
      template('delivery_window', 'ro', [
        {
          type: 'header',
          parameters: [
            { type: 'text', text: '#4821' },
          ],
        },
        {
          type: 'body',
          parameters: [
            { type: 'text', text: '14:00' },
            { type: 'text', text: '16:00' },
          ],
        },
      ]),
      template('verification_code', 'ro', [
        {
          type: 'body',
          parameters: [
            { type: 'text', text: '482193' },
          ],
        },
        {
          type: 'button',
          sub_type: 'url',
          index: '0',
          parameters: [
            { type: 'text', text: '482193' },
          ],
        },
      ]),
      template('store_location', 'en', [
        {
          type: 'header',
          parameters: [
            {
              type: 'location',
              location: {
                latitude: 46.77,
                longitude: 23.6,
                name: 'Cluj',
                address: 'Str. Memorandumului 1',
              },
            },
          ],
        },
        {
          type: 'body',
          parameters: [
            { type: 'text', text: '09:00' },
            { type: 'text', text: '20:00' },
          ],
        },
      ]),
    ]
    for (const body of sends) {
      const answer = await harness.graph('POST', MESSAGES_PATH, body)
      expect(answer.status, JSON.stringify(answer.json)).toBe(200)
      expect(answer.json.messages[0]).toEqual({
        id: expect.stringMatching(/^wamid\./),
        message_status: 'accepted',
      })
    }
  })
})

describe('routing', () => {
  it('accepts any vNN.N version segment or none', async () => {
    harness = await startHarness()
    for (const version of ['v19.0', 'v25.0', 'v26.0']) {
      const answer = await harness.graph('GET', `/${version}/${PHONE_NUMBER_ID}`)
      expect(answer.status).toBe(200)
      expect(answer.headers.get('facebook-api-version')).toBe(version)
    }
    expect((await harness.graph('GET', `/${PHONE_NUMBER_ID}?fields=verified_name`)).json).toEqual({ verified_name: 'WA Inbox Demo', id: PHONE_NUMBER_ID })
  })

  it('answers unknown objects, edges and fields with Graph errors', async () => {
    harness = await startHarness()
    const object = await harness.graph('GET', '/v25.0/123456789')
    expect(object.status).toBe(400)
    expect(object.json.error).toMatchObject({ type: 'GraphMethodException', code: 100, error_subcode: 33 })
    expect(object.json.error.message).toMatch(/^Unsupported get request\. Object with ID '123456789' does not exist/)
    const otherNumber = await harness.graph('POST', '/v25.0/999999/messages', textTo('40722123456', 'x'))
    expect(otherNumber.json.error).toMatchObject({ code: 100, error_subcode: 33 })
    expect(otherNumber.json.error.message).toMatch(/^Unsupported post request/)
    const edge = await harness.graph('GET', `/v25.0/${PHONE_NUMBER_ID}/message_templates`)
    expect(edge.status).toBe(400)
    expect(edge.json.error).toMatchObject({ code: 100, message: '(#100) Tried accessing nonexisting field (message_templates) on node type (WhatsAppBusinessPhoneNumber)' })
    const deep = await harness.graph('GET', `/v25.0/${WABA_ID}/message_templates/extra`)
    expect(deep.status).toBe(400)
    expect(deep.json.error).toMatchObject({ code: 2500, message: 'Unknown path components: /extra' })
    const field = await harness.graph('GET', `/v25.0/${PHONE_NUMBER_ID}?fields=verified_name,favourite_colour`)
    expect(field.status).toBe(400)
    expect(field.json.error).toMatchObject({ code: 100, message: '(#100) Tried accessing nonexisting field (favourite_colour) on node type (WhatsAppBusinessPhoneNumber)' })
  })
})
