import type { Message } from '~/utils/db'
import { describe, expect, it } from 'vitest'
import { message } from '~/components/conversation/message/__tests__/fixtures'
import { resendRequest } from '~/utils/messages/resend'

describe('resendRequest', () => {
  const failed = (patch: Partial<Message>) => message('f', {
    direction: 'out',
    status: 'failed',
    error: { code: 131000, title: 'Something went wrong' },
    ...patch,
  })

  it('sends a text again with its body and reply', () => {
    expect(resendRequest(failed({
      content: { body: 'Hi' },
      context: { id: 'wamid.x', messageId: 'x' },
    }), 'new')).toEqual({
      clientId: 'new',
      type: 'text',
      text: 'Hi',
      replyTo: 'x',
    })
  })

  it('sends media again by its upload id, with the caption', () => {
    expect(resendRequest(failed({
      type: 'image',
      content: {
        mediaId: 'meta-1',
        uploadId: 'up-1',
        caption: 'Look',
        mimeType: 'image/png',
      },
    }), 'new')).toEqual({
      clientId: 'new',
      type: 'image',
      mediaId: 'up-1',
      caption: 'Look',
    })
  })

  it('sends a template again with its name, language and parameters', () => {
    const request = resendRequest(failed({
      type: 'template',
      content: {
        name: 'order_update',
        language: 'ro',
        body: 'Comanda 7',
        header: [],
        parameters: [
          { type: 'text', text: '7' },
        ],
        buttons: [],
      },
    }), 'new')
    expect(request).toEqual({
      clientId: 'new',
      type: 'template',
      template: {
        name: 'order_update',
        language: 'ro',
        body: [
          { type: 'text', text: '7' },
        ],
      },
    })
  })

  it.each([
    [
      'an inbound message',
      failed({ direction: 'in' }),
    ],
    [
      'a message that did not fail',
      failed({ status: 'sent', error: null }),
    ],
    [
      'a reaction',
      failed({
        type: 'reaction',
        content: { messageId: 'wamid.x', emoji: '👍' },
      }),
    ],
    [
      'a location',
      failed({
        type: 'location',
        content: { latitude: 1, longitude: 2 },
      }),
    ],
    [
      'free-form text outside the 24-hour window (131047)',
      failed({
        error: { code: 131047, title: 'Re-engagement message' },
      }),
    ],
    [
      'a template to a number in an experiment (130472)',
      failed({
        type: 'template',
        content: { name: 'promo', language: 'en' },
        error: { code: 130472, title: 'experiment' },
      }),
    ],
  ])('refuses %s', (_, value) => {
    expect(resendRequest(value, 'new')).toBeNull()
  })

  it('still offers a template after a window error', () => {
    expect(resendRequest(failed({
      type: 'template',
      content: { name: 'hello', language: 'en' },
      error: { code: 131047, title: 'x' },
    }), 'n')).not.toBeNull()
  })
})
