import type { VueWrapper } from '@vue/test-utils'
import type { Conversation, OutboxEntry } from '~/utils/db'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeBrowser } from 'wxt/testing/fake-browser'
import { contact, conversation, NOW, session } from '~/components/chat/__tests__/fixtures'
import { db } from '~/utils/db'
import { authSessionStorage } from '~/utils/session'
import Composer from '../Composer.vue'
import { appointmentReminder, feedbackRequest, orderUpdate, template, useEnglishMessages } from './helpers'

const HOUR = 3600_000
const MB = 1024 * 1024

const ana = contact('c1', { name: 'Ana Pop', language: 'en' })
const bogdan = contact('c2', { name: 'Bogdan' })

async function seed(patch: Partial<Conversation> = {}, contactPatch: Partial<typeof ana> = {}): Promise<void> {
  const who = {
    ...ana,
    ...contactPatch,
  }
  await db.contacts.bulkPut([who, bogdan])
  await db.conversations.bulkPut([
    conversation('k1', who, { windowExpiresAt: NOW + 3 * HOUR + 12 * 60_000 + 30_000, ...patch }),
    conversation('k2', bogdan, { windowExpiresAt: NOW + 20 * HOUR }),
  ])
}

async function mountComposer(conversationId = 'k1', replyToId: string | null = null): Promise<VueWrapper> {
  const wrapper: VueWrapper = mount(Composer, {
    props: {
      conversationId,
      replyToId,
      'onUpdate:replyToId': (id: string | null) => wrapper.setProps({ replyToId: id }),
    },
    attachTo: document.body,
  })
  await vi.waitFor(async () => {
    await flushPromises()
    expect(wrapper.find('[data-testid="composer"][data-ready]').exists()).toBe(true)
  })
  return wrapper
}

function input(wrapper: VueWrapper) {
  return wrapper.get<HTMLTextAreaElement>('[data-testid="composer-input"]')
}

async function type(wrapper: VueWrapper, text: string): Promise<void> {
  await input(wrapper).setValue(text)
}

async function press(wrapper: VueWrapper, key: string, init: KeyboardEventInit = {}): Promise<void> {
  await input(wrapper).trigger('keydown', { key, ...init })
  await flushPromises()
}

async function outbox(): Promise<OutboxEntry[]> {
  return await db.outbox.toArray()
}

function chooseFile(wrapper: VueWrapper, file: File): Promise<void> {
  const el = wrapper.get('[data-testid="file-input"]').element as HTMLInputElement
  Object.defineProperty(el, 'files', {
    value: [file],
    configurable: true,
  })
  return wrapper.get('[data-testid="file-input"]').trigger('change')
}

/** A file of `size` bytes without allocating them. */
function fileOf(name: string, type: string, size: number): File {
  const file = new File(['x'], name, { type })
  Object.defineProperty(file, 'size', { value: size })
  return file
}

describe('composer', () => {
  beforeEach(async () => {
    fakeBrowser.reset()
    useEnglishMessages()
    vi.useFakeTimers({
      now: NOW,
      toFake: ['Date'],
    })
    await Promise.all(db.tables.map(table => table.clear()))
    await authSessionStorage.setValue(session())
  })

  afterEach(() => {
    vi.useRealTimers()
    document.body.innerHTML = ''
  })

  describe('drafts', () => {
    it('keeps a draft per conversation and restores it when switching back', async () => {
      await seed()
      const wrapper = await mountComposer('k1')
      await type(wrapper, 'Hello Ana, about your order')
      await vi.waitFor(async () => expect((await db.drafts.get('k1'))?.text).toBe('Hello Ana, about your order'))

      await wrapper.setProps({ conversationId: 'k2' })
      await vi.waitFor(() => expect(input(wrapper).element.value).toBe(''))
      await type(wrapper, 'Hi Bogdan')
      await wrapper.setProps({ conversationId: 'k1' })
      // Switching saves at once, without waiting for the typing pause.
      expect((await db.drafts.get('k2'))?.text).toBe('Hi Bogdan')
      await vi.waitFor(() => expect(input(wrapper).element.value).toBe('Hello Ana, about your order'))
      wrapper.unmount()
    })

    it('restores the reply of a draft and emits it', async () => {
      await seed()
      await db.messages.put(message('m1', 'k1', 'Where is my parcel?'))
      await db.drafts.put({
        conversationId: 'k1',
        text: 'It left today',
        replyToId: 'm1',
        updatedAt: NOW,
      })
      const wrapper = await mountComposer('k1')
      await vi.waitFor(() => expect(input(wrapper).element.value).toBe('It left today'))
      expect(wrapper.emitted('update:replyToId')).toEqual([
        ['m1'],
      ])
      await vi.waitFor(() => expect(wrapper.get('[data-testid="reply-text"]').text()).toBe('Where is my parcel?'))
      expect(wrapper.get('[data-testid="reply-bar"]').text()).toContain('Replying to Ana Pop')
      wrapper.unmount()
    })

    it('deletes a draft emptied by the agent', async () => {
      await seed()
      await db.drafts.put({
        conversationId: 'k1',
        text: 'old',
        replyToId: null,
        updatedAt: NOW,
      })
      const wrapper = await mountComposer('k1')
      await vi.waitFor(() => expect(input(wrapper).element.value).toBe('old'))
      await type(wrapper, '')
      await vi.waitFor(async () => expect(await db.drafts.get('k1')).toBeUndefined())
      wrapper.unmount()
    })
  })

  describe('sending text', () => {
    it('sends on Enter through the outbox, with a local copy, and clears the draft', async () => {
      await seed()
      const wrapper = await mountComposer('k1')
      await type(wrapper, '  Your parcel left today  ')
      await vi.waitFor(async () => expect(await db.drafts.get('k1')).toBeDefined())
      await press(wrapper, 'Enter')

      await vi.waitFor(() => expect(wrapper.emitted('sent')).toHaveLength(1))
      expect(await outbox()).toHaveLength(1)
      const [row] = await outbox()
      expect(row!.type).toBe('message.send')
      expect(row!.state).toBe('queued')
      const args = row!.args as { conversationId: string, message: { type: string, text: string, clientId: string, replyTo?: string } }
      expect(args.conversationId).toBe('k1')
      expect(args.message).toMatchObject({ type: 'text', text: 'Your parcel left today' })
      expect(args.message.replyTo).toBeUndefined()

      const local = await db.messages.get(args.message.clientId)
      expect(local).toMatchObject({
        conversationId: 'k1',
        direction: 'out',
        status: 'pending',
        senderId: 'a1',
        content: { body: 'Your parcel left today' },
      })
      expect(input(wrapper).element.value).toBe('')
      expect(await db.drafts.get('k1')).toBeUndefined()
      wrapper.unmount()
    })

    it('adds a new line on Shift+Enter and never sends blank text', async () => {
      await seed()
      const wrapper = await mountComposer('k1')
      await type(wrapper, 'line one')
      await press(wrapper, 'Enter', { shiftKey: true })
      await type(wrapper, '   ')
      await press(wrapper, 'Enter')
      expect(await outbox()).toHaveLength(0)
      expect(wrapper.get('[data-testid="send-button"]').attributes('disabled')).toBeDefined()
      wrapper.unmount()
    })

    it('replies to the quoted message, then clears the reply; Escape cancels it', async () => {
      await seed()
      await db.messages.put(message('m1', 'k1', 'Where is my parcel?'))
      const wrapper = await mountComposer('k1', 'm1')
      await vi.waitFor(() => expect(wrapper.find('[data-testid="reply-bar"]').exists()).toBe(true))
      await type(wrapper, 'On its way')
      await press(wrapper, 'Enter')
      await vi.waitFor(async () => expect(await outbox()).toHaveLength(1))
      expect(((await outbox())[0]!.args as { message: { replyTo?: string } }).message.replyTo).toBe('m1')
      await vi.waitFor(() => expect(wrapper.emitted('update:replyToId')?.at(-1)).toEqual([null]))
      await vi.waitFor(() => expect(wrapper.find('[data-testid="reply-bar"]').exists()).toBe(false))

      await wrapper.setProps({ replyToId: 'm1' })
      await vi.waitFor(() => expect(wrapper.find('[data-testid="reply-bar"]').exists()).toBe(true))
      await press(wrapper, 'Escape')
      expect(wrapper.emitted('update:replyToId')!.at(-1)).toEqual([null])
      wrapper.unmount()
    })

    it('queues while offline (nothing is fetched)', async () => {
      await seed()
      const fetchSpy = vi.spyOn(globalThis, 'fetch').mockRejectedValue(new TypeError('Failed to fetch'))
      const wrapper = await mountComposer('k1')
      await type(wrapper, 'Offline hello')
      await wrapper.get('[data-testid="send-button"]').trigger('click')
      await vi.waitFor(async () => expect(await outbox()).toHaveLength(1))
      expect(fetchSpy).not.toHaveBeenCalled()
      wrapper.unmount()
    })
  })

  describe('quick replies', () => {
    beforeEach(async () => {
      await db.quickReplies.bulkPut([
        {
          id: 'q1',
          shortcut: 'hello',
          title: 'Greeting',
          body: 'Hello! How can I help?',
          createdAt: 1,
          updatedAt: 1,
        },
        {
          id: 'q2',
          shortcut: 'hours',
          title: 'Opening hours',
          body: 'We are open 9–18.',
          createdAt: 1,
          updatedAt: 1,
        },
        {
          id: 'q3',
          shortcut: 'thanks',
          title: 'Thank you',
          body: 'Thanks for writing!',
          createdAt: 1,
          updatedAt: 1,
        },
      ])
    })

    function shortcuts(wrapper: VueWrapper): string[] {
      return wrapper.findAll('[data-testid="quick-reply-option"]').map(el => el.attributes('data-shortcut')!)
    }

    it('opens on a leading slash and filters by shortcut and title as you type', async () => {
      await seed()
      const wrapper = await mountComposer('k1')
      await type(wrapper, '/')
      await vi.waitFor(() => expect(shortcuts(wrapper)).toEqual(['hello', 'hours', 'thanks']))
      await type(wrapper, '/ho')
      expect(shortcuts(wrapper)).toEqual(['hours'])
      await type(wrapper, '/open')
      expect(shortcuts(wrapper)).toEqual(['hours'])
      await type(wrapper, '/zzz')
      expect(wrapper.get('[data-testid="quick-reply-empty"]').text()).toBe('No quick replies match.')
      await type(wrapper, 'no slash')
      expect(wrapper.find('[data-testid="quick-reply-menu"]').exists()).toBe(false)
      wrapper.unmount()
    })

    it('inserts the chosen body with the arrow keys and Enter, without sending', async () => {
      await seed()
      const wrapper = await mountComposer('k1')
      await type(wrapper, '/h')
      await vi.waitFor(() => expect(shortcuts(wrapper)).toEqual(['hello', 'hours', 'thanks']))
      await press(wrapper, 'ArrowDown')
      const options = wrapper.findAll('[data-testid="quick-reply-option"]')
      expect(options[1]!.attributes('aria-selected')).toBe('true')
      expect(input(wrapper).attributes('aria-activedescendant')).toBe(options[1]!.attributes('id'))
      await press(wrapper, 'Enter')
      expect(input(wrapper).element.value).toBe('We are open 9–18.')
      expect(wrapper.find('[data-testid="quick-reply-menu"]').exists()).toBe(false)
      expect(await outbox()).toHaveLength(0)
      wrapper.unmount()
    })

    it('inserts with Tab and closes on Escape', async () => {
      await seed()
      const wrapper = await mountComposer('k1')
      await type(wrapper, '/th')
      await vi.waitFor(() => expect(shortcuts(wrapper)).toEqual(['thanks']))
      await press(wrapper, 'Escape')
      expect(wrapper.find('[data-testid="quick-reply-menu"]').exists()).toBe(false)
      expect(input(wrapper).element.value).toBe('/th')

      await type(wrapper, '/he')
      await vi.waitFor(() => expect(shortcuts(wrapper)).toEqual(['hello']))
      await press(wrapper, 'Tab')
      expect(input(wrapper).element.value).toBe('Hello! How can I help?')
      wrapper.unmount()
    })

    it('lists everything from the button and inserts at the caret', async () => {
      await seed()
      const wrapper = await mountComposer('k1')
      await type(wrapper, 'Dear Ana, ')
      input(wrapper).element.setSelectionRange(10, 10)
      await wrapper.get('[data-testid="quick-replies-button"]').trigger('click')
      await vi.waitFor(() => expect(shortcuts(wrapper)).toEqual(['hello', 'hours', 'thanks']))
      await wrapper.findAll('[data-testid="quick-reply-option"]')[2]!.trigger('click')
      expect(input(wrapper).element.value).toBe('Dear Ana, Thanks for writing!')
      wrapper.unmount()
    })
  })

  describe('emoji', () => {
    it('inserts at the caret and stays open for more', async () => {
      await seed()
      const wrapper = await mountComposer('k1')
      await type(wrapper, 'Thanks world')
      input(wrapper).element.setSelectionRange(6, 6)
      await wrapper.get('[data-testid="emoji-button"]').trigger('click')
      expect(wrapper.get('[data-testid="emoji-button"]').attributes('aria-label')).toBe('Insert an emoji')
      const picker = wrapper.get('[data-testid="emoji-picker"]')
      expect(picker.findAll('[data-emoji]').length).toBeGreaterThanOrEqual(90)
      await picker.get('[data-emoji="🙏"]').trigger('click')
      expect(input(wrapper).element.value).toBe('Thanks🙏 world')
      await picker.trigger('keydown', { key: 'Escape' })
      expect(wrapper.find('[data-testid="emoji-picker"]').exists()).toBe(false)
      wrapper.unmount()
    })
  })

  describe('attachments', () => {
    it('refuses a photo over 5 MB with a clear error and uploads nothing', async () => {
      await seed()
      const fetchSpy = vi.spyOn(globalThis, 'fetch')
      const wrapper = await mountComposer('k1')
      await chooseFile(wrapper, fileOf('holiday.png', 'image/png', 6 * MB))
      expect(wrapper.get('[data-testid="composer-error"]').text()).toContain('“holiday.png” is too large: WhatsApp accepts photos up to 5 MB.')
      expect(wrapper.find('[data-testid="attachment-preview"]').exists()).toBe(false)
      expect(fetchSpy).not.toHaveBeenCalled()
      expect(await outbox()).toHaveLength(0)
      wrapper.unmount()
    })

    it('uploads, then sends the media message with its caption', async () => {
      await seed()
      let answer!: (response: Response) => void
      const fetchSpy = vi.spyOn(globalThis, 'fetch').mockReturnValue(new Promise<Response>((resolve) => {
        answer = resolve
      }))
      const wrapper = await mountComposer('k1')
      await chooseFile(wrapper, fileOf('invoice.pdf', 'application/pdf', 2048))
      const preview = wrapper.get('[data-testid="attachment-preview"]')
      expect(preview.get('[data-testid="attachment-name"]').text()).toBe('invoice.pdf')
      expect(preview.get('[data-testid="attachment-size"]').text()).toBe('2 kB')
      await preview.get('[data-testid="attachment-caption"]').setValue('Your invoice')
      await wrapper.get('[data-testid="send-button"]').trigger('click')

      // Uploading: shown, and nothing can be sent twice meanwhile.
      await vi.waitFor(() => expect(fetchSpy).toHaveBeenCalledOnce())
      expect(wrapper.get('[data-testid="attachment-uploading"]').text()).toBe('Uploading…')
      expect(wrapper.get('[data-testid="send-button"]').attributes('disabled')).toBeDefined()
      expect(await outbox()).toHaveLength(0)
      answer(new Response(JSON.stringify({
        id: 'media-1',
        mimeType: 'application/pdf',
        filename: 'invoice.pdf',
        size: 2048,
      }), {
        status: 201,
        headers: { 'Content-Type': 'application/json' },
      }))

      await vi.waitFor(() => expect(wrapper.emitted('sent')).toHaveLength(1))
      expect(await outbox()).toHaveLength(1)
      const [url, init] = fetchSpy.mock.calls[0]!
      expect(String(url)).toBe('https://inbox.example.com/api/conversations/k1/media')
      expect(init!.method).toBe('POST')
      expect((init!.headers as Record<string, string>).Authorization).toBe('Bearer tok-1')
      expect(((init!.body as FormData).get('file') as File).name).toBe('invoice.pdf')

      const args = (await outbox())[0]!.args as { message: Record<string, unknown> }
      expect(args.message).toMatchObject({ type: 'document', mediaId: 'media-1', caption: 'Your invoice' })
      expect(typeof args.message.clientId).toBe('string')
      const local = await db.messages.get(args.message.clientId as string)
      expect(local?.content).toMatchObject({ mediaId: 'media-1', caption: 'Your invoice', filename: 'invoice.pdf' })
      expect(wrapper.find('[data-testid="attachment-preview"]').exists()).toBe(false)
      wrapper.unmount()
    })

    it('says the server is needed when the upload cannot reach it, and keeps the file', async () => {
      await seed()
      vi.spyOn(globalThis, 'fetch').mockRejectedValue(new TypeError('Failed to fetch'))
      const wrapper = await mountComposer('k1')
      await chooseFile(wrapper, fileOf('photo.jpg', 'image/jpeg', 1000))
      await wrapper.get('[data-testid="send-button"]').trigger('click')
      await vi.waitFor(() => expect(wrapper.get('[data-testid="composer-error"]').text()).toContain('Sending files needs the server'))
      expect(wrapper.find('[data-testid="attachment-preview"]').exists()).toBe(true)
      expect(await outbox()).toHaveLength(0)
      wrapper.unmount()
    })

    it('translates the server\'s refusal', async () => {
      await seed()
      vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response(JSON.stringify({
        error: { code: 'whatsapp_error', message: 'WhatsApp refused the upload: (#131053) Media upload error' },
      }), { status: 502 }))
      const wrapper = await mountComposer('k1')
      await chooseFile(wrapper, fileOf('clip.mp4', 'video/mp4', 1000))
      await wrapper.get('[data-testid="send-button"]').trigger('click')
      await vi.waitFor(() => expect(wrapper.get('[data-testid="composer-error"]').text()).toContain('WhatsApp refused the upload. Try again in a moment.'))
      expect(wrapper.get('[data-testid="composer-error"]').text()).not.toContain('131053')
      wrapper.unmount()
    })

    it('takes a pasted file', async () => {
      await seed()
      const wrapper = await mountComposer('k1')
      const file = fileOf('screenshot.png', 'image/png', 1000)
      const event = new Event('paste', { bubbles: true, cancelable: true })
      Object.defineProperty(event, 'clipboardData', {
        value: {
          files: [file],
        },
      })
      input(wrapper).element.dispatchEvent(event)
      await flushPromises()
      expect(event.defaultPrevented).toBe(true)
      expect(wrapper.get('[data-testid="attachment-preview"]').attributes('data-kind')).toBe('image')
      wrapper.unmount()
    })
  })

  describe('the 24-hour window', () => {
    it('shows the free-form composer with a countdown while open', async () => {
      await seed()
      const wrapper = await mountComposer('k1')
      expect(wrapper.find('[data-testid="template-picker"]').exists()).toBe(false)
      expect(wrapper.get('[data-testid="window-countdown"]').text()).toBe('Window: 3 h 12 min left')
      wrapper.unmount()
    })

    it.each([
      ['closed', NOW - 1, 'The 24-hour window is closed: WhatsApp only allows templates until the customer writes again.'],
      ['never opened', null, 'The customer has not written yet: WhatsApp only allows templates until they do.'],
    ])('becomes the template picker when the window is %s, and explains why', async (_name, windowExpiresAt, why) => {
      await seed({ windowExpiresAt })
      const wrapper = await mountComposer('k1')
      expect(wrapper.find('[data-testid="template-picker"]').exists()).toBe(true)
      expect(wrapper.find('[data-testid="composer-input"]').exists()).toBe(false)
      expect(wrapper.find('[data-testid="template-close"]').exists()).toBe(false)
      expect(wrapper.get('[data-testid="window-closed"]').text()).toBe(why)
      wrapper.unmount()
    })

    it('switches to templates when the window closes while the composer is open', async () => {
      await seed()
      const wrapper = await mountComposer('k1')
      await db.conversations.update('k1', { windowExpiresAt: NOW - 1000 })
      await vi.waitFor(() => expect(wrapper.find('[data-testid="template-picker"]').exists()).toBe(true))
      wrapper.unmount()
    })

    it('opens the template picker from the button while open, and closes it again', async () => {
      await seed()
      const wrapper = await mountComposer('k1')
      await wrapper.get('[data-testid="templates-button"]').trigger('click')
      expect(wrapper.find('[data-testid="template-picker"]').exists()).toBe(true)
      expect(wrapper.find('[data-testid="window-closed"]').exists()).toBe(false)
      await wrapper.get('[data-testid="template-close"]').trigger('click')
      expect(wrapper.find('[data-testid="composer-input"]').exists()).toBe(true)
      wrapper.unmount()
    })
  })

  describe('templates', () => {
    async function seedTemplates(): Promise<void> {
      await db.templates.bulkPut([
        appointmentReminder,
        feedbackRequest,
        orderUpdate('t-order-en', 'en', 'Hi {{1}}, your order {{2}} is on its way and should arrive on {{3}}.'),
        orderUpdate('t-order-ro', 'ro', 'Bună, {{1}}! Comanda ta {{2}} este pe drum și ar trebui să ajungă pe {{3}}.'),
        template('t-pending', {
          name: 'loyalty_points',
          status: 'PENDING',
          components: [
            { type: 'BODY', text: 'You have {{1}} points' },
          ],
        }),
        template('t-other', {
          name: 'other_number_only',
          channelId: 'ch2',
          components: [
            { type: 'BODY', text: 'Hi' },
          ],
        }),
      ])
    }

    function names(wrapper: VueWrapper): string[] {
      return wrapper.findAll('[data-testid="template-option"]').map(el => el.attributes('data-name')!)
    }

    it('lists the approved templates of the conversation\'s number, searchable by name', async () => {
      await seed({ windowExpiresAt: null })
      await seedTemplates()
      const wrapper = await mountComposer('k1')
      await vi.waitFor(() => expect(names(wrapper)).toEqual(['appointment_reminder', 'feedback_request', 'order_update']))
      await wrapper.get('[data-testid="template-search"]').setValue('feed')
      expect(names(wrapper)).toEqual(['feedback_request'])
      wrapper.unmount()
    })

    it('fills the parameters into the preview and sends them; Send waits for every field', async () => {
      await seed({ windowExpiresAt: null })
      await seedTemplates()
      const wrapper = await mountComposer('k1')
      await vi.waitFor(() => expect(names(wrapper)).toContain('appointment_reminder'))
      await wrapper.get('[data-name="appointment_reminder"]').trigger('click')

      const send = () => wrapper.get('[data-testid="template-send"]')
      const field = (key: string) => wrapper.get(`[data-testid="template-field"][data-key="${key}"]`)
      expect(wrapper.findAll('[data-testid="template-field"]').map(el => el.attributes('data-key'))).toEqual(['body.customer_name', 'body.date', 'body.time'])
      expect(field('body.date').attributes('placeholder')).toBe('12 May')
      expect(send().attributes('disabled')).toBeDefined()

      await field('body.customer_name').setValue('Ana')
      await field('body.date').setValue('3 June')
      expect(wrapper.get('[data-testid="template-preview-body"]').text()).toBe('Hello Ana, this is a reminder of your appointment on 3 June at {{time}}.')
      expect(send().attributes('disabled')).toBeDefined()
      await field('body.time').setValue('10:30')
      expect(send().attributes('disabled')).toBeUndefined()
      await send().trigger('submit')

      await vi.waitFor(() => expect(wrapper.emitted('sent')).toHaveLength(1))
      expect(await outbox()).toHaveLength(1)
      const args = (await outbox())[0]!.args as { conversationId: string, message: { clientId: string, type: string, template: unknown } }
      expect(args.conversationId).toBe('k1')
      expect(args.message.type).toBe('template')
      expect(args.message.template).toEqual({
        name: 'appointment_reminder',
        language: 'en',
        body: [
          { type: 'text', text: 'Ana', name: 'customer_name' },
          { type: 'text', text: '3 June', name: 'date' },
          { type: 'text', text: '10:30', name: 'time' },
        ],
      })
      const local = await db.messages.get(args.message.clientId)
      expect(local?.content.body).toBe('Hello Ana, this is a reminder of your appointment on 3 June at 10:30.')
      // Back to the list, ready for the next one.
      expect(wrapper.find('[data-testid="template-option"]').exists()).toBe(true)
      wrapper.unmount()
    })

    it('sends a URL button parameter', async () => {
      await seed({ windowExpiresAt: null })
      await seedTemplates()
      const wrapper = await mountComposer('k1')
      await vi.waitFor(() => expect(names(wrapper)).toContain('feedback_request'))
      await wrapper.get('[data-name="feedback_request"]').trigger('click')
      await wrapper.get('[data-key="body.1"]').setValue('Ana')
      await wrapper.get('[data-key="button.0"]').setValue('4821')
      await wrapper.get('[data-testid="template-send"]').trigger('submit')
      await vi.waitFor(async () => expect(await outbox()).toHaveLength(1))
      const template = ((await outbox())[0]!.args as { message: { template: Record<string, unknown> } }).message.template
      expect(template.buttons).toEqual([
        {
          index: 0,
          subType: 'url',
          parameter: { type: 'text', text: '4821' },
        },
      ])
      wrapper.unmount()
    })

    it('offers each language, starting with the contact\'s', async () => {
      await seed({ windowExpiresAt: null }, { language: 'ro' })
      await seedTemplates()
      const wrapper = await mountComposer('k1')
      await vi.waitFor(() => expect(names(wrapper)).toContain('order_update'))
      await wrapper.get('[data-name="order_update"]').trigger('click')
      const select = wrapper.get<HTMLSelectElement>('[data-testid="template-language"]')
      expect(select.element.value).toBe('t-order-ro')
      await wrapper.get('[data-key="body.1"]').setValue('Ana')
      expect(wrapper.get('[data-testid="template-preview-body"]').text()).toContain('Bună, Ana!')
      await select.setValue('t-order-en')
      expect(wrapper.get('[data-testid="template-preview-body"]').text()).toContain('Hi Ana, your order {{2}}')
      // The image header needs an uploaded file before it can be sent.
      expect(wrapper.find('[data-testid="template-media-input"]').exists()).toBe(true)
      wrapper.unmount()
    })
  })

  describe('contact state', () => {
    it('is disabled with an explanation for a blocked contact', async () => {
      await seed({}, { blocked: true })
      const wrapper = await mountComposer('k1')
      expect(wrapper.get('[data-testid="composer-blocked"]').text()).toContain('This contact is blocked')
      expect(wrapper.find('[data-testid="composer-input"]').exists()).toBe(false)
      expect(wrapper.find('[data-testid="send-button"]').exists()).toBe(false)
      wrapper.unmount()
    })

    it('says when an AI bot answers the customer', async () => {
      await seed({}, { aiBot: true })
      const wrapper = await mountComposer('k1')
      expect(wrapper.get('[data-testid="ai-bot-notice"]').text()).toBe('AI bot active — it answers this customer')
      wrapper.unmount()
    })

    it('names every icon button', async () => {
      await seed()
      const wrapper = await mountComposer('k1')
      for (const button of wrapper.findAll('button'))
        expect(button.attributes('aria-label') || button.text(), button.html()).toBeTruthy()
      wrapper.unmount()
    })
  })
})

function message(id: string, conversationId: string, body: string) {
  return {
    id,
    conversationId,
    wamid: `wamid.${id}`,
    clientId: null,
    direction: 'in' as const,
    type: 'text' as const,
    status: 'delivered' as const,
    error: null,
    content: { body },
    context: null,
    referral: null,
    reaction: null,
    timestamp: NOW - 60_000,
    createdAt: NOW - 60_000,
    sentAt: null,
    deliveredAt: null,
    readAt: null,
    senderId: null,
  }
}
