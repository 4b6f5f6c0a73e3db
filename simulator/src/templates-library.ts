// The default template library: 32 templates in English and Romanian, in every status a connector
// must cope with (approved, paused, disabled, pending, rejected), with the headers, buttons and
// named or positional parameters Meta supports. Plain data; `defaultTemplates()` hands out copies.

import type { SimTemplate, SimTemplateComponent } from './types.ts'

type TemplateWithoutId = Omit<SimTemplate, 'id'>

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

const LIBRARY: TemplateWithoutId[] = [
  {
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
  },
]

for (const [language, texts] of Object.entries(LOCALIZED)) {
  LIBRARY.push(
    {
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
    },
    {
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
    },
    {
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
    },
    {
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
    },
    {
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
    },
    {
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
    },
    {
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
    },
    {
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
    },
    {
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
    },
    {
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
    },
    {
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
    },
    {
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
    },
    {
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
    },
    {
      name: 'black_friday',
      language,
      status: 'REJECTED',
      category: 'MARKETING',
      parameter_format: 'POSITIONAL',
      rejected_reason: 'PROMOTIONAL',
      components: [
        body(texts.blackFriday),
      ],
    },
  )
}

LIBRARY.push(
  {
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
  },
  {
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
  },
  {
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
  },
)

const FIRST_ID = 1_094_211_550_000_000

/** A realistic library of 32 templates: enough to need paging at Meta's default limit of 25. */
export function defaultTemplates(): SimTemplate[] {
  // Fresh copies: a running simulator changes template statuses in place.
  return LIBRARY.map((template, index) => ({
    id: String(FIRST_ID + index),
    ...structuredClone(template),
  }))
}
