import type { Message } from '~/utils/db'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeBrowser } from 'wxt/testing/fake-browser'
import { authSessionStorage } from '~/utils/session'
import { describeOutboxError, describeWhatsAppError, whatsappErrorKey } from '~/utils/whatsapp-errors'
import { dayLabel, openStreetMapUrl } from '../format'
import MessageContent from '../MessageContent.vue'
import MessageDeliveryTicks from '../MessageDeliveryTicks.vue'
import { parseRichText } from '../rich-text'
import { fakeServer, message, session } from './fixtures'

function mockI18n(): void {
  vi.spyOn(fakeBrowser.i18n, 'getMessage').mockImplementation((name, substitutions) => {
    const values = [substitutions ?? []].flat()
    return [name, ...values].join(' ')
  })
  vi.spyOn(fakeBrowser.i18n, 'getUILanguage').mockReturnValue('en')
}

function render(patch: Partial<Message>) {
  return mount(MessageContent, {
    props: {
      message: message('m1', patch),
    },
    attachTo: document.body,
  })
}

/** Which IntersectionObservers exist, so a test can scroll a bubble into view. */
class FakeIntersectionObserver {
  static instances: FakeIntersectionObserver[] = []
  elements: Element[] = []
  constructor(readonly callback: IntersectionObserverCallback) {
    FakeIntersectionObserver.instances.push(this)
  }

  observe(element: Element): void {
    this.elements.push(element)
  }

  disconnect(): void {
    this.elements = []
  }

  unobserve(): void {}
  takeRecords(): IntersectionObserverEntry[] {
    return []
  }

  show(): void {
    this.callback(this.elements.map(target => ({ target, isIntersecting: true }) as IntersectionObserverEntry), this as unknown as IntersectionObserver)
  }
}

describe('parseRichText', () => {
  it('turns http(s) URLs into links and leaves other schemes as text', () => {
    expect(parseRichText('see https://example.com/a?b=1, or javascript:alert(1) and ftp://x.y')).toEqual([
      { type: 'text', text: 'see ' },
      { type: 'link', href: 'https://example.com/a?b=1', text: 'https://example.com/a?b=1' },
      { type: 'text', text: ', or javascript:alert(1) and ftp://x.y' },
    ])
  })

  it('keeps closing punctuation and an unbalanced bracket out of the link', () => {
    expect(parseRichText('(http://a.ro/x).')).toEqual([
      { type: 'text', text: '(' },
      { type: 'link', href: 'http://a.ro/x', text: 'http://a.ro/x' },
      { type: 'text', text: ').' },
    ])
  })

  it('reads WhatsApp formatting, nested, and not inside words or links', () => {
    expect(parseRichText('*bold _both_* ~gone~ 2*3*4 https://x.ro/a_b_c')).toEqual([
      {
        type: 'bold',
        children: [
          { type: 'text', text: 'bold ' },
          {
            type: 'italic',
            children: [
              { type: 'text', text: 'both' },
            ],
          },
        ],
      },
      { type: 'text', text: ' ' },
      {
        type: 'strike',
        children: [
          { type: 'text', text: 'gone' },
        ],
      },
      { type: 'text', text: ' 2*3*4 ' },
      { type: 'link', href: 'https://x.ro/a_b_c', text: 'https://x.ro/a_b_c' },
    ])
  })

  it('reads monospace blocks and leaves unmatched markers alone', () => {
    expect(parseRichText('```a *b*``` * not bold*')).toEqual([
      { type: 'mono', text: 'a *b*' },
      { type: 'text', text: ' * not bold*' },
    ])
  })
})

describe('whatsapp errors', () => {
  beforeEach(mockI18n)

  it.each([
    [131047, 'conversation_message_whatsappErrors_code131047'],
    [131026, 'conversation_message_whatsappErrors_code131026'],
    [131049, 'conversation_message_whatsappErrors_code131049'],
    [131051, 'conversation_message_whatsappErrors_code131051'],
    [130472, 'conversation_message_whatsappErrors_code130472'],
    [131053, 'conversation_message_whatsappErrors_code131053'],
    [131056, 'conversation_message_whatsappErrors_code131056'],
    [131021, 'conversation_message_whatsappErrors_code131021'],
    [132000, 'conversation_message_whatsappErrors_code132000'],
    [132001, 'conversation_message_whatsappErrors_code132001'],
    [132012, 'conversation_message_whatsappErrors_code132012'],
    [368, 'conversation_message_whatsappErrors_code368'],
    [470, 'conversation_message_whatsappErrors_code470'],
    [131000, 'conversation_message_whatsappErrors_code131000'],
    [131048, 'conversation_message_whatsappErrors_code131048'],
    [100, 'conversation_message_whatsappErrors_code100'],
    [2, 'conversation_message_whatsappErrors_code131016'],
  ])('translates code %i', (code, text) => {
    expect(describeWhatsAppError({ code })).toBe(text)
  })

  it('names an unknown code in the generic message', () => {
    expect(whatsappErrorKey(999_999)).toBeNull()
    expect(describeWhatsAppError({ code: 999_999 })).toBe('conversation_message_whatsappErrors_generic 999999')
  })

  it('translates the server\'s refusals of a queued send', () => {
    expect(describeOutboxError({ code: 'window_closed' })).toBe('conversation_message_outboxErrors_windowClosed')
    expect(describeOutboxError({ code: 'internal_error' })).toBe('conversation_message_outboxErrors_generic internal_error')
  })
})

describe('deliveryTicks', () => {
  beforeEach(mockI18n)

  it.each([
    ['queued', 'conversation_message_status_queued', 1],
    ['pending', 'conversation_message_status_pending', 1],
    ['sent', 'conversation_message_status_sent', 1],
    ['delivered', 'conversation_message_status_delivered', 2],
    ['read', 'conversation_message_status_read', 2],
    ['played', 'conversation_message_status_played', 2],
  ] as const)('shows %s', (state, label, paths) => {
    const wrapper = mount(MessageDeliveryTicks, {
      props: { state },
    })
    const ticks = wrapper.get('[data-testid="ticks"]')
    expect(ticks.attributes('aria-label')).toBe(label)
    expect(ticks.attributes('data-state')).toBe(state)
    if (state !== 'queued' && state !== 'pending')
      expect(ticks.findAll('path')).toHaveLength(paths)
    expect(ticks.classes().some(name => name.includes('sky'))).toBe(state === 'read' || state === 'played')
  })

  it('shows a failure in red with its reason', () => {
    const wrapper = mount(MessageDeliveryTicks, {
      props: { state: 'failed', reason: 'Window closed' },
    })
    const ticks = wrapper.get('[data-testid="ticks"]')
    expect(ticks.attributes('aria-label')).toBe('conversation_message_status_failedReason Window closed')
    expect(ticks.classes()).toContain('text-danger')
  })
})

describe('format', () => {
  beforeEach(mockI18n)

  it('labels days: today, yesterday, weekday within the week, then the date', () => {
    const now = new Date(2025, 0, 15, 12).getTime()
    expect(dayLabel(new Date(2025, 0, 15, 0, 5).getTime(), now, 'en')).toBe('conversation_message_list_today')
    expect(dayLabel(new Date(2025, 0, 14, 23, 59).getTime(), now, 'en')).toBe('conversation_message_list_yesterday')
    expect(dayLabel(new Date(2025, 0, 12, 9).getTime(), now, 'en')).toBe('Sunday')
    expect(dayLabel(new Date(2025, 0, 12, 9).getTime(), now, 'ro')).toBe('duminică')
    expect(dayLabel(new Date(2025, 0, 2, 9).getTime(), now, 'en')).toBe('Thu, January 2')
    expect(dayLabel(new Date(2024, 11, 2, 9).getTime(), now, 'en')).toBe('December 2, 2024')
  })

  it('builds map links only for real coordinates', () => {
    expect(openStreetMapUrl(44.43, '26.1')).toBe('https://www.openstreetmap.org/?mlat=44.43&mlon=26.1#map=16/44.43/26.1')
    expect(openStreetMapUrl('javascript:1', 2)).toBeNull()
    expect(openStreetMapUrl(95, 2)).toBeNull()
  })
})

describe('messageContent', () => {
  beforeEach(async () => {
    fakeBrowser.reset()
    mockI18n()
    FakeIntersectionObserver.instances = []
    vi.stubGlobal('IntersectionObserver', FakeIntersectionObserver)
    await authSessionStorage.setValue(session())
  })

  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  it('shows markup in a text as text, never as elements', () => {
    const wrapper = render({
      content: { body: '<b>x</b><img src=x onerror=alert(1)>' },
    })
    const paragraph = wrapper.get('[data-testid="text"]')
    expect(paragraph.text()).toBe('<b>x</b><img src=x onerror=alert(1)>')
    expect(paragraph.find('b').exists()).toBe(false)
    expect(paragraph.find('img').exists()).toBe(false)
  })

  it('links URLs in a new tab without opener, and formats', () => {
    const wrapper = render({
      content: { body: 'Hi *there*,\nsee https://shop.example.ro/p?id=7.' },
    })
    const link = wrapper.get('[data-testid="link"]')
    expect(link.attributes()).toMatchObject({ href: 'https://shop.example.ro/p?id=7', target: '_blank', rel: 'noopener noreferrer' })
    expect(wrapper.get('strong').text()).toBe('there')
    expect(wrapper.get('[data-testid="text"]').element.textContent).toBe('Hi there,\nsee https://shop.example.ro/p?id=7.')
  })

  it('loads an image once it is in view, through the API with the token', async () => {
    const server = fakeServer([])
    vi.stubGlobal('fetch', server.fetch)
    const createObjectURL = vi.fn(() => 'blob:image-1')
    vi.stubGlobal('URL', Object.assign(class extends URL {}, {
      createObjectURL,
      revokeObjectURL: vi.fn(),
    }))
    const wrapper = render({
      id: 'img-1',
      type: 'image',
      content: { mediaId: 'meta-1', mimeType: 'image/jpeg', caption: 'The <i>receipt</i>' },
    })
    expect(wrapper.find('img').exists()).toBe(false)
    expect(server.fetch).not.toHaveBeenCalled()

    FakeIntersectionObserver.instances[0]!.show()
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.find('img').exists()).toBe(true)
    })
    const [url, init] = server.fetch.mock.calls[0]!
    expect(String(url)).toBe('https://inbox.example.com/api/messages/img-1/media')
    expect((init as RequestInit).headers).toMatchObject({ Authorization: 'Bearer tok-1' })
    expect(wrapper.get('img').attributes()).toMatchObject({ src: 'blob:image-1', alt: 'The <i>receipt</i>' })
    expect(wrapper.get('[data-testid="caption"]').text()).toBe('The <i>receipt</i>')
  })

  it('shows a document\'s name and size and downloads it on click only', async () => {
    const server = fakeServer([])
    vi.stubGlobal('fetch', server.fetch)
    vi.stubGlobal('URL', Object.assign(class extends URL {}, {
      createObjectURL: vi.fn(() => 'blob:doc'),
      revokeObjectURL: vi.fn(),
    }))
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {})
    const wrapper = render({
      id: 'doc-1',
      type: 'document',
      content: {
        mediaId: 'meta-2',
        mimeType: 'application/pdf',
        filename: 'factura.pdf',
        size: 2_400_000,
      },
    })
    expect(wrapper.get('[data-testid="media-filename"]').text()).toBe('factura.pdf')
    expect(wrapper.get('[data-testid="media-details"]').text()).toBe('2.4 MB · PDF')
    expect(FakeIntersectionObserver.instances).toHaveLength(0)

    const button = wrapper.get('[data-testid="media-download"]')
    expect(button.attributes('aria-label')).toBe('conversation_message_actions_downloadNamed factura.pdf')
    await button.trigger('click')
    await vi.waitFor(() => expect(click).toHaveBeenCalledOnce())
    const anchor = click.mock.contexts[0] as HTMLAnchorElement
    expect(anchor.download).toBe('factura.pdf')
    expect(anchor.href).toBe('blob:doc')
    expect(server.fetch).toHaveBeenCalledOnce()
  })

  it('says when media cannot be loaded, and retries', async () => {
    let fail = true
    const server = fakeServer([], {
      fail: () => fail,
    })
    vi.stubGlobal('fetch', server.fetch)
    vi.stubGlobal('URL', Object.assign(class extends URL {}, {
      createObjectURL: vi.fn(() => 'blob:v'),
      revokeObjectURL: vi.fn(),
    }))
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const wrapper = render({
      type: 'video',
      content: { mediaId: 'meta-3', mimeType: 'video/mp4' },
    })
    await wrapper.get('[data-testid="media-load"]').trigger('click')
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.find('[data-testid="media-error"]').exists()).toBe(true)
    })
    fail = false
    await wrapper.get('[data-testid="media-retry"]').trigger('click')
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.find('video').attributes('src')).toBe('blob:v')
    })
  })

  it('does not try to download a local copy the server has not stored yet', () => {
    const wrapper = render({
      id: 'client-1',
      clientId: 'client-1',
      wamid: null,
      direction: 'out',
      status: 'pending',
      type: 'audio',
      content: { mediaId: 'upload-1' },
    })
    expect(wrapper.find('[data-testid="media-load"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="media-download"]').exists()).toBe(false)
    expect(FakeIntersectionObserver.instances).toHaveLength(0)
  })

  it('shows a location with a map link', () => {
    const wrapper = render({
      type: 'location',
      content: {
        latitude: 44.4268,
        longitude: 26.1025,
        name: 'Magazin',
        address: 'Str. Lipscani 1',
      },
    })
    expect(wrapper.get('[data-testid="location-name"]').text()).toBe('Magazin')
    expect(wrapper.get('[data-testid="location-address"]').text()).toBe('Str. Lipscani 1')
    expect(wrapper.get('[data-testid="location-link"]').attributes()).toMatchObject({
      href: 'https://www.openstreetmap.org/?mlat=44.4268&mlon=26.1025#map=16/44.4268/26.1025',
      rel: 'noopener noreferrer',
    })
  })

  it('shows contact cards with names and phones', () => {
    const wrapper = render({
      type: 'contacts',
      content: {
        contacts: [
          {
            name: { formatted_name: 'Maria Ionescu', first_name: 'Maria' },
            phones: [
              { phone: '+40 722 111 222', wa_id: '40722111222' },
            ],
          },
          {
            name: { first_name: 'Dan', last_name: 'Pop' },
            phones: [],
          },
        ],
      },
    })
    expect(wrapper.findAll('[data-testid="contact-name"]').map(el => el.text())).toEqual(['Maria Ionescu', 'Dan Pop'])
    expect(wrapper.findAll('[data-testid="contact-phone"]').map(el => el.text())).toEqual(['+40 722 111 222'])
  })

  it.each([
    [
      {
        type: 'interactive',
        content: { interactiveType: 'button_reply', id: 'yes', title: 'Yes, confirm' },
      },
      'interactive',
      'Yes, confirm',
    ],
    [
      {
        type: 'interactive',
        content: { interactiveType: 'nfm_reply', responseJson: '{}' },
      },
      'interactive',
      'conversation_message_content_formResponse',
    ],
    [
      {
        type: 'button',
        content: { payload: 'STOP', text: 'Stop promotions' },
      },
      'button-reply',
      'Stop promotions',
    ],
    [
      {
        type: 'reaction',
        content: { messageId: 'wamid.x', emoji: '👍' },
      },
      'reaction',
      'conversation_message_content_reacted 👍',
    ],
    [
      {
        type: 'system',
        content: { systemType: 'user_changed_number', body: 'User changed number' },
      },
      'system',
      'User changed number',
    ],
    [
      {
        type: 'unsupported',
        content: { originalType: 'poll_creation', errors: [] },
      },
      'unsupported',
      'conversation_message_content_unsupported poll_creation',
    ],
    [
      { type: 'unsupported', content: {} },
      'unsupported',
      'conversation_message_content_unsupported conversation_message_content_unsupportedUnknown',
    ],
  ] as [Partial<Message>, string, string][])('renders %o', (patch, testId, text) => {
    const wrapper = render(patch)
    expect(wrapper.get(`[data-testid="${testId}"]`).text().replace(/\s+/g, ' ')).toBe(text)
  })

  it('shows a list reply\'s title and description', () => {
    const wrapper = render({
      type: 'interactive',
      content: {
        interactiveType: 'list_reply',
        id: 'r2',
        title: 'Room 2',
        description: 'Sea view',
      },
    })
    expect(wrapper.findAll('[data-testid="interactive"] p').map(el => el.text())).toEqual(['Room 2', 'Sea view'])
  })

  it('shows a template\'s name and rendered body', () => {
    const wrapper = render({
      type: 'template',
      direction: 'out',
      content: { name: 'order_update', language: 'ro', body: 'Comanda *7* a plecat' },
    })
    expect(wrapper.get('[data-testid="template-name"]').text()).toBe('conversation_message_content_template order_update')
    expect(wrapper.get('[data-testid="template-body"]').text()).toBe('Comanda 7 a plecat')
    expect(wrapper.get('[data-testid="template-body"] strong').text()).toBe('7')
  })
})
