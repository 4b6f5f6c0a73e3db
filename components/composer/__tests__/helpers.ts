import type { Template } from '~/utils/db'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import process from 'node:process'
import { vi } from 'vitest'
import { fakeBrowser } from 'wxt/testing/fake-browser'
import { parse } from 'yaml'

/** locales/en.yml as Chrome message names (`composer.window.closed` → `composer_window_closed`). */
function englishMessages(): Map<string, string> {
  // happy-dom gives `import.meta.url` an http: scheme; tests run from the repository root.
  const file = join(process.cwd(), 'locales/en.yml')
  const messages = new Map<string, string>()
  const walk = (node: unknown, prefix: string): void => {
    if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node)) {
        walk(child, prefix
          ? `${prefix}_${key}`
          : key)
      }
    }
    else {
      messages.set(prefix, String(node))
    }
  }
  walk(parse(readFileSync(file, 'utf8')), '')
  return messages
}

/** fakeBrowser has no translations: answer `getMessage` from en.yml, with `$1`… substituted. */
export function useEnglishMessages(): void {
  const messages = englishMessages()
  vi.spyOn(fakeBrowser.i18n, 'getMessage').mockImplementation((name, substitutions) => {
    const values = [substitutions ?? []].flat().map(String)
    const message = messages.get(name)
    if (message === undefined)
      throw new Error(`no message ${name}`)
    return message.replace(/\$(\d)/g, (_, n: string) => values[Number(n) - 1] ?? '')
  })
  vi.spyOn(fakeBrowser.i18n, 'getUILanguage').mockReturnValue('en')
}

/** Templates shaped like the simulator's library (simulator/src/templates.ts). */
export function template(id: string, patch: Partial<Template> & Pick<Template, 'name' | 'components'>): Template {
  return {
    id,
    channelId: 'ch1',
    language: 'en',
    status: 'APPROVED',
    category: 'UTILITY',
    parameterFormat: 'POSITIONAL',
    syncedAt: 1,
    ...patch,
  }
}

export function orderUpdate(id: string, language: string, body: string): Template {
  return template(id, {
    name: 'order_update',
    language,
    components: [
      {
        type: 'HEADER',
        format: 'IMAGE',
        example: {
          header_handle: ['https://scontent.whatsapp.net/order.jpg'],
        },
      },
      {
        type: 'BODY',
        text: body,
        example: {
          body_text: [
            ['Ana', '#4821', '12 May'],
          ],
        },
      },
      { type: 'FOOTER', text: 'Livrări Rapide' },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'QUICK_REPLY', text: 'Track order' },
          { type: 'QUICK_REPLY', text: 'Talk to an agent' },
        ],
      },
    ],
  })
}

export const appointmentReminder = template('t-appt', {
  name: 'appointment_reminder',
  parameterFormat: 'NAMED',
  components: [
    {
      type: 'BODY',
      text: 'Hello {{customer_name}}, this is a reminder of your appointment on {{date}} at {{time}}.',
      example: {
        body_text_named_params: [
          { param_name: 'customer_name', example: 'Ana' },
          { param_name: 'date', example: '12 May' },
          { param_name: 'time', example: '10:30' },
        ],
      },
    },
    {
      type: 'BUTTONS',
      buttons: [
        { type: 'QUICK_REPLY', text: 'Confirm' },
        { type: 'QUICK_REPLY', text: 'Reschedule' },
      ],
    },
  ],
})

export const deliveryWindow = template('t-delivery', {
  name: 'delivery_window',
  components: [
    {
      type: 'HEADER',
      format: 'TEXT',
      text: 'Delivery for order {{1}}',
      example: {
        header_text: ['#4821'],
      },
    },
    {
      type: 'BODY',
      text: 'Your courier will arrive today between {{1}} and {{2}}.',
      example: {
        body_text: [
          ['14:00', '16:00'],
        ],
      },
    },
  ],
})

export const feedbackRequest = template('t-feedback', {
  name: 'feedback_request',
  category: 'MARKETING',
  components: [
    {
      type: 'BODY',
      text: 'Hi {{1}}, how did we do? Tell us in one minute.',
      example: {
        body_text: [
          ['Ana'],
        ],
      },
    },
    {
      type: 'BUTTONS',
      buttons: [
        {
          type: 'URL',
          text: 'Rate us',
          url: 'https://shop.example.com/feedback/{{1}}',
          example: ['https://shop.example.com/feedback/4821'],
        },
      ],
    },
  ],
})
