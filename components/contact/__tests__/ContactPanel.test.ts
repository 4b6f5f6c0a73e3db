import type { VueWrapper } from '@vue/test-utils'
import type { OutboxEntry } from '~/utils/db'
import { flushPromises, mount } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeBrowser } from 'wxt/testing/fake-browser'
import { db } from '~/utils/db'
import { authSessionStorage } from '~/utils/session'
import ContactPanel from '../ContactPanel.vue'
import { agent, contact, conversation, failedRow, label, note, NOW, session, team } from './fixtures'

const ana = agent('a1', 'Ana Pop')
const bogdan = agent('a2', 'Bogdan Rus')
const cora = agent('a3', 'Cora Ilie', { active: false })
const adi = agent('a9', 'Adi Admin', { role: 'admin' })

const ion = contact('c1', {
  name: 'Ștefan Ionuț',
  profileName: 'Stefan I.',
  phone: '+40722123456',
  email: 'stefan@example.com',
  language: 'ro',
  customFields: { city: 'Cluj' },
  labelIds: ['l1'],
  blocked: true,
})
const other = contact('c2', { name: 'Someone Else' })

const remoteOld = conversation('k5', ion, { status: 'closed', lastMessageAt: NOW - 10 * 24 * 3600_000, lastMessagePreview: 'Old order' })

let fetchMock: ReturnType<typeof vi.fn>

function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

async function seed(): Promise<void> {
  await db.agents.bulkPut([ana, bogdan, cora, adi])
  await db.teams.bulkPut([
    team('t1', 'Sales'),
    team('t2', 'Support'),
  ])
  await db.labels.bulkPut([
    label('l1', 'VIP', 'amber'),
    label('l2', 'Lead', 'blue'),
    label('l3', 'Lost', 'red'),
  ])
  await db.contacts.bulkPut([ion, other])
  await db.conversations.bulkPut([
    conversation('k1', ion, { assigneeId: null }),
    conversation('k0', ion, { status: 'closed', lastMessageAt: NOW - 3 * 24 * 3600_000, lastMessagePreview: '<b>thanks</b>' }),
    conversation('k9', other),
  ])
  await db.notes.bulkPut([
    note('n1', 'c1', 'a1', 'Called, wants a quote', NOW - 2 * 3600_000),
    note('n2', 'c1', 'a2', 'Sent <b>the quote</b>', NOW - 3600_000),
    note('n3', 'c2', 'a2', 'Not this contact', NOW),
  ])
}

async function mountPanel(conversationId = 'k1'): Promise<VueWrapper> {
  const wrapper = mount(ContactPanel, {
    props: { conversationId },
    attachTo: document.body,
  })
  await vi.waitFor(async () => {
    await flushPromises()
    expect(wrapper.find('[data-testid="contact-details"], [data-testid="contact-not-found"]').exists()).toBe(true)
  })
  return wrapper
}

async function settle(check: () => void | Promise<void>): Promise<void> {
  await vi.waitFor(async () => {
    await flushPromises()
    await check()
  })
}

async function outbox(): Promise<Pick<OutboxEntry, 'type' | 'args' | 'state'>[]> {
  return (await db.outbox.orderBy('seq').toArray()).map(({ type, args, state }) => ({ type, args, state }))
}

const text = (wrapper: VueWrapper, testid: string) => wrapper.get(`[data-testid="${testid}"]`).text()

describe('contactPanel', () => {
  beforeEach(async () => {
    vi.spyOn(fakeBrowser.runtime, 'sendMessage').mockResolvedValue(undefined)
    fetchMock = vi.fn(async (url: string | URL) => String(url).endsWith('/api/contacts/c1/conversations')
      ? jsonResponse({
          items: [remoteOld],
        })
      : jsonResponse({
          error: { code: 'not_found', message: 'no' },
        }, 404))
    vi.stubGlobal('fetch', fetchMock)
    await authSessionStorage.setValue(session(ana))
    await seed()
  })

  describe('header', () => {
    it('shows the contact: initials, name, blocked, WhatsApp name, phone, email, language, custom fields', async () => {
      const wrapper = await mountPanel()
      expect(text(wrapper, 'contact-avatar')).toBe('ȘI')
      expect(text(wrapper, 'contact-name')).toBe('Ștefan Ionuț')
      expect(text(wrapper, 'contact-blocked')).toBe('contact_details_blocked')
      expect(text(wrapper, 'contact-profile-name')).toContain('Stefan I.')
      expect(text(wrapper, 'contact-phone')).toBe('+40722123456')
      expect(wrapper.get('[data-testid="contact-phone"]').attributes('aria-label')).toBe('contact_details_copyPhone +40722123456')
      expect(text(wrapper, 'contact-email')).toBe('stefan@example.com')
      expect(text(wrapper, 'contact-language')).toContain('(ro)')
      expect(text(wrapper, 'contact-custom-fields')).toContain('city')
      expect(text(wrapper, 'contact-custom-fields')).toContain('Cluj')
      wrapper.unmount()
    })

    it('leaves out what the contact does not have', async () => {
      const wrapper = await mountPanel('k9')
      expect(text(wrapper, 'contact-name')).toBe('Someone Else')
      for (const testid of [
        'contact-blocked',
        'contact-profile-name',
        'contact-phone',
        'contact-email',
        'contact-language',
        'contact-custom-fields',
      ])
        expect(wrapper.find(`[data-testid="${testid}"]`).exists(), testid).toBe(false)
      wrapper.unmount()
    })

    it('copies the phone number on click', async () => {
      const writeText = vi.fn(async () => {})
      vi.stubGlobal('navigator', {
        ...navigator,
        onLine: true,
        clipboard: { writeText },
      })
      const wrapper = await mountPanel()
      await wrapper.get('[data-testid="contact-phone"]').trigger('click')
      await flushPromises()
      expect(writeText).toHaveBeenCalledWith('+40722123456')
      expect(text(wrapper, 'contact-copied')).toBe('contact_details_copied')
      wrapper.unmount()
    })

    it('says when the conversation is not on this device, and closes', async () => {
      const wrapper = await mountPanel('nope')
      expect(text(wrapper, 'contact-not-found')).toBe('contact_notFound')
      await wrapper.get('[data-testid="contact-close"]').trigger('click')
      expect(wrapper.emitted('close')).toHaveLength(1)
      expect(wrapper.get('[data-testid="contact-close"]').attributes('aria-label')).toBe('contact_close')
      wrapper.unmount()
    })
  })

  describe('assignment', () => {
    it('lists active agents with me first, and assigns with a team through the outbox', async () => {
      const wrapper = await mountPanel()
      const select = wrapper.get('[data-testid="assignee-select"]')
      expect(select.findAll('option').map(option => option.text())).toEqual([
        'contact_assignee_unassigned',
        'contact_assignee_me Ana Pop',
        'Adi Admin',
        'Bogdan Rus',
      ])
      expect(wrapper.get('[data-testid="team-select"]').findAll('option').map(option => option.text())).toEqual(['contact_assignee_noTeam', 'Sales', 'Support'])
      expect(text(wrapper, 'assignee-current')).toBe('contact_assignee_notAssigned')
      expect(wrapper.get('[data-testid="assignee-save"]').attributes('disabled')).toBeDefined()

      await select.setValue('a2')
      await wrapper.get('[data-testid="team-select"]').setValue('t1')
      await wrapper.get('[data-testid="assignee-save"]').trigger('submit')
      await settle(async () => {
        expect(await outbox()).toEqual([
          {
            type: 'conversation.assign',
            args: { conversationId: 'k1', assigneeId: 'a2' },
            state: 'queued',
          },
          {
            type: 'conversation.setTeam',
            args: { conversationId: 'k1', teamId: 't1' },
            state: 'queued',
          },
        ])
      })
      const saved = await db.conversations.get('k1')
      expect(saved?.assigneeId).toBe('a2')
      expect(saved?.teamId).toBe('t1')
      await settle(() => {
        expect(text(wrapper, 'assignee-current')).toBe('contact_assignee_current Bogdan Rus')
        expect(wrapper.get('[data-testid="assignee-picker"] [data-testid="pending"]').attributes('data-state')).toBe('queued')
      })
      wrapper.unmount()
    })

    it('follows an assignment made by someone else', async () => {
      const wrapper = await mountPanel()
      await db.conversations.update('k1', { assigneeId: 'a1', teamId: 't2' })
      await settle(() => {
        expect(text(wrapper, 'assignee-current')).toBe('contact_assignee_currentMe')
        expect((wrapper.get('[data-testid="assignee-select"]').element as HTMLSelectElement).value).toBe('a1')
        expect((wrapper.get('[data-testid="team-select"]').element as HTMLSelectElement).value).toBe('t2')
      })
      await db.conversations.update('k1', { assigneeId: 'a3' })
      await settle(() => {
        expect(text(wrapper, 'assignee-current')).toBe('contact_assignee_current Cora Ilie')
        expect(wrapper.get('[data-testid="assignee-select"]').findAll('option').at(-1)!.text()).toBe('contact_assignee_inactive Cora Ilie')
      })
      wrapper.unmount()
    })

    it('shows a refused assignment translated, and retries or dismisses it', async () => {
      await db.outbox.add(failedRow(1, 'conversation.assign', { conversationId: 'k1', assigneeId: 'a3' }, { code: 'agent_inactive', message: 'assigneeId: inactive' }) as never)
      const wrapper = await mountPanel()
      const notice = () => wrapper.find('[data-testid="assignee-picker"] [data-testid="pending"]')
      await settle(() => expect(notice().attributes('data-state')).toBe('failed'))
      expect(notice().get('[data-testid="pending-error"]').text()).toBe('contact_errors_agentInactive')

      await notice().get('[data-testid="pending-retry"]').trigger('click')
      await settle(async () => {
        expect((await outbox())[0]!.state).toBe('queued')
        expect(notice().attributes('data-state')).toBe('queued')
      })

      await db.outbox.update(1, {
        state: 'failed',
        error: { code: 'forbidden', message: 'no' },
      })
      await settle(() => expect(notice().get('[data-testid="pending-error"]').text()).toBe('contact_errors_forbidden'))
      await notice().get('[data-testid="pending-discard"]').trigger('click')
      await settle(async () => {
        expect(await db.outbox.count()).toBe(0)
        expect(notice().exists()).toBe(false)
      })
      wrapper.unmount()
    })
  })

  describe('bots', () => {
    it('toggles the AI bot and the reply bot at once', async () => {
      const wrapper = await mountPanel()
      const ai = () => wrapper.get('[data-testid="bot-aiBot"]')
      expect(ai().attributes('role')).toBe('switch')
      expect(ai().attributes('aria-checked')).toBe('false')
      await ai().trigger('click')
      await settle(() => expect(ai().attributes('aria-checked')).toBe('true'))
      expect((await db.contacts.get('c1'))?.aiBot).toBe(true)

      await wrapper.get('[data-testid="bot-replyBot"]').trigger('click')
      await settle(async () => {
        expect(await outbox()).toEqual([
          {
            type: 'contact.update',
            args: {
              contactId: 'c1',
              patch: { aiBot: true },
            },
            state: 'queued',
          },
          {
            type: 'contact.update',
            args: {
              contactId: 'c1',
              patch: { replyBot: true },
            },
            state: 'queued',
          },
        ])
      })
      expect(wrapper.get('[data-bot="aiBot"] [data-testid="pending"]').attributes('data-state')).toBe('queued')
      wrapper.unmount()
    })
  })

  describe('labels', () => {
    const chips = (wrapper: VueWrapper) => wrapper.findAll('[data-testid="label-chip-name"]').map(el => el.text())

    it('adds an existing label and a new one, removes one, and applies the difference on Update', async () => {
      const wrapper = await mountPanel()
      expect(chips(wrapper)).toEqual(['VIP'])
      expect(wrapper.get('[data-testid="label-chip"]').attributes('data-color')).toBe('amber')
      expect(wrapper.get('[data-testid="labels-apply"]').attributes('disabled')).toBeDefined()

      const input = wrapper.get('[data-testid="label-input"]')
      await input.trigger('focus')
      await input.setValue('le')
      expect(wrapper.findAll('[data-testid="label-option"]').map(el => el.text())).toEqual(['Lead'])
      expect(wrapper.find('[data-testid="label-option-create"]').exists()).toBe(true)
      await input.trigger('keydown', { key: 'ArrowDown' })
      expect(input.attributes('aria-activedescendant')).toBe(wrapper.get('[data-testid="label-option"]').attributes('id'))
      await input.trigger('keydown', { key: 'Enter' })
      expect(chips(wrapper)).toEqual(['VIP', 'Lead'])
      // the list closes after a pick (it must not cover Update)
      expect((wrapper.get('[data-testid="label-options"]').element as HTMLElement).style.display).toBe('none')

      await input.setValue('Hot')
      expect(text(wrapper, 'label-option-create')).toBe('contact_labels_create Hot')
      await input.trigger('keydown', { key: 'Enter' })
      expect(chips(wrapper)).toEqual(['VIP', 'Lead', 'Hot'])

      await wrapper.get('[data-testid="label-chip-remove"]').trigger('click')
      expect(chips(wrapper)).toEqual(['Lead', 'Hot'])
      // nothing is written before Update
      expect(await db.outbox.count()).toBe(0)

      await wrapper.get('[data-testid="labels-apply"]').trigger('click')
      await settle(async () => expect(await db.outbox.count()).toBe(4))
      const rows = await outbox()
      const hot = (await db.labels.where('name').equals('Hot').first())!
      expect(hot).toBeDefined()
      expect(rows).toEqual([
        {
          type: 'contact.removeLabel',
          args: { contactId: 'c1', labelId: 'l1' },
          state: 'queued',
        },
        {
          type: 'contact.addLabel',
          args: { contactId: 'c1', labelId: 'l2' },
          state: 'queued',
        },
        {
          type: 'label.create',
          args: { id: hot.id, name: 'Hot' },
          state: 'queued',
        },
        {
          type: 'contact.addLabel',
          args: { contactId: 'c1', labelId: hot.id },
          state: 'queued',
        },
      ])
      expect((await db.contacts.get('c1'))?.labelIds).toEqual(['l2', hot.id])
      await settle(() => expect(chips(wrapper)).toEqual(['Lead', 'Hot']))
      wrapper.unmount()
    })

    it('offers no "create" for a name that exists, and picks the existing label with Enter', async () => {
      const wrapper = await mountPanel()
      const input = wrapper.get('[data-testid="label-input"]')
      await input.trigger('focus')
      await input.setValue('lost')
      expect(wrapper.find('[data-testid="label-option-create"]').exists()).toBe(false)
      await input.trigger('keydown', { key: 'Enter' })
      expect(chips(wrapper)).toEqual(['VIP', 'Lost'])
      await wrapper.get('[data-testid="labels-reset"]').trigger('click')
      expect(chips(wrapper)).toEqual(['VIP'])
      wrapper.unmount()
    })

    it('shows a refused label change translated', async () => {
      await db.outbox.add(failedRow(1, 'contact.addLabel', { contactId: 'c1', labelId: 'l9' }, { code: 'not_found', message: 'labelId: no such label', field: 'labelId' }) as never)
      const wrapper = await mountPanel()
      await settle(() => expect(wrapper.get('[data-testid="label-editor"] [data-testid="pending-error"]').text()).toBe('contact_errors_notFound'))
      wrapper.unmount()
    })
  })

  describe('notes', () => {
    const bodies = (wrapper: VueWrapper) => wrapper.findAll('[data-testid="note-body"]').map(el => el.text())

    it('lists the contact\'s notes newest first with author and time, as text', async () => {
      const wrapper = await mountPanel()
      expect(bodies(wrapper)).toEqual(['Sent <b>the quote</b>', 'Called, wants a quote'])
      expect(wrapper.find('[data-testid="note-body"] b').exists()).toBe(false)
      expect(wrapper.findAll('[data-testid="note-author"]').map(el => el.text())).toEqual(['Bogdan Rus', 'Ana Pop'])
      expect(wrapper.get('[data-testid="note-time"]').attributes('title')).toBeTruthy()
      wrapper.unmount()
    })

    it('shows the empty state', async () => {
      const wrapper = await mountPanel('k9')
      await db.notes.delete('n3')
      await settle(() => expect(text(wrapper, 'notes-empty')).toBe('contact_notes_empty'))
      wrapper.unmount()
    })

    it('adds a note with Ctrl+Enter, with the @mentioned teammates', async () => {
      const wrapper = await mountPanel()
      const input = wrapper.get('[data-testid="note-new"] [data-testid="note-input"]')
      await input.trigger('keydown', { key: 'Enter', ctrlKey: true })
      expect(text(wrapper, 'note-error')).toBe('contact_validation_noteEmpty')
      expect(await db.outbox.count()).toBe(0)

      await input.setValue('Ask @Bogdan Rus about the price')
      await input.trigger('keydown', { key: 'Enter', ctrlKey: true })
      await settle(() => expect(bodies(wrapper)[0]).toBe('Ask @Bogdan Rus about the price'))
      const [row] = await outbox()
      expect(row).toMatchObject({
        type: 'note.create',
        args: {
          contactId: 'c1',
          body: 'Ask @Bogdan Rus about the price',
          mentions: ['a2'],
        },
      })
      expect((input.element as HTMLTextAreaElement).value).toBe('')
      expect(wrapper.get('[data-testid="note"] [data-testid="pending"]').attributes('data-state')).toBe('queued')
      wrapper.unmount()
    })

    it('suggests teammates after @ and inserts the chosen one', async () => {
      const wrapper = await mountPanel()
      const input = wrapper.get('[data-testid="note-new"] [data-testid="note-input"]')
      const el = input.element as HTMLTextAreaElement
      el.value = 'Hi @bo'
      el.setSelectionRange(6, 6)
      await input.trigger('input')
      expect(wrapper.findAll('[data-testid="note-new"] [data-testid="note-mention"]').map(item => item.text())).toEqual(['Bogdan Rus'])
      await input.trigger('keydown', { key: 'Enter' })
      await flushPromises()
      expect(el.value).toBe('Hi @Bogdan Rus ')
      expect(await db.outbox.count()).toBe(0)
      wrapper.unmount()
    })

    it('lets an agent edit and delete only their own notes, deleting after a confirmation', async () => {
      const wrapper = await mountPanel()
      const mine = () => wrapper.get('[data-note-id="n1"]')
      expect(wrapper.find('[data-note-id="n2"] [data-testid="note-edit"]').exists()).toBe(false)
      expect(wrapper.find('[data-note-id="n2"] [data-testid="note-delete"]').exists()).toBe(false)

      await mine().get('[data-testid="note-edit"]').trigger('click')
      await mine().get('[data-testid="note-input"]').setValue('Called twice')
      await mine().get('[data-testid="note-input"]').trigger('keydown', { key: 'Enter', metaKey: true })
      await settle(() => expect(mine().get('[data-testid="note-body"]').text()).toBe('Called twice'))
      expect(await outbox()).toEqual([
        {
          type: 'note.update',
          args: { noteId: 'n1', body: 'Called twice', mentions: [] },
          state: 'queued',
        },
      ])

      await mine().get('[data-testid="note-delete"]').trigger('click')
      expect(mine().get('[data-testid="note-confirm"]').text()).toContain('contact_notes_confirmDelete')
      await mine().get('[data-testid="note-confirm-cancel"]').trigger('click')
      expect(mine().find('[data-testid="note-confirm"]').exists()).toBe(false)
      expect(await db.notes.get('n1')).toBeDefined()

      await mine().get('[data-testid="note-delete"]').trigger('click')
      await mine().get('[data-testid="note-confirm-delete"]').trigger('click')
      await settle(() => expect(wrapper.find('[data-note-id="n1"]').exists()).toBe(false))
      expect(await db.notes.get('n1')).toBeUndefined()
      expect((await outbox()).at(-1)).toEqual({
        type: 'note.delete',
        args: { noteId: 'n1' },
        state: 'queued',
      })
      wrapper.unmount()
    })

    it('lets an admin edit and delete anyone\'s notes', async () => {
      await authSessionStorage.setValue(session(adi))
      const wrapper = await mountPanel()
      await settle(() => {
        expect(wrapper.find('[data-note-id="n1"] [data-testid="note-edit"]').exists()).toBe(true)
        expect(wrapper.find('[data-note-id="n2"] [data-testid="note-delete"]').exists()).toBe(true)
      })
      wrapper.unmount()
    })

    it('shows a refused note change per note, and a refused delete of a note no longer listed', async () => {
      await db.outbox.add(failedRow(1, 'note.update', { noteId: 'n1', body: 'x', mentions: [] }, { code: 'forbidden', message: 'no' }) as never)
      const wrapper = await mountPanel()
      await settle(() => expect(wrapper.get('[data-note-id="n1"] [data-testid="pending-error"]').text()).toBe('contact_errors_forbidden'))
      expect(wrapper.find('[data-note-id="n2"] [data-testid="pending"]').exists()).toBe(false)

      await wrapper.get('[data-note-id="n1"] [data-testid="note-delete"]').trigger('click')
      await wrapper.get('[data-note-id="n1"] [data-testid="note-confirm-delete"]').trigger('click')
      await settle(async () => expect((await outbox()).at(-1)?.type).toBe('note.delete'))
      const row = (await db.outbox.orderBy('seq').last())!
      await db.outbox.update(row.seq, {
        state: 'failed',
        error: { code: 'not_found', message: 'gone' },
      })
      await settle(() => expect(text(wrapper, 'notes-orphan-failed')).toContain('contact_notes_otherFailed contact_errors_notFound'))
      wrapper.unmount()
    })
  })

  describe('edit contact', () => {
    async function openForm(wrapper: VueWrapper): Promise<void> {
      await wrapper.get('[data-testid="contact-edit"]').trigger('click')
      expect(wrapper.find('[data-testid="contact-edit-form"]').exists()).toBe(true)
    }

    it('validates like the server before saving anything', async () => {
      const wrapper = await mountPanel()
      await openForm(wrapper)
      await wrapper.get('[data-testid="edit-email"]').setValue('not-an-email')
      await wrapper.get('[data-testid="edit-phone"]').setValue('12ab')
      await wrapper.get('[data-testid="edit-language"]').setValue('x')
      await wrapper.get('[data-testid="edit-custom-add"]').trigger('click')
      const values = wrapper.findAll('[data-testid="edit-custom-value"]')
      await values.at(-1)!.setValue('no key')
      await wrapper.get('[data-testid="edit-save"]').trigger('submit')
      expect(text(wrapper, 'edit-email-error')).toBe('contact_validation_email')
      expect(text(wrapper, 'edit-phone-error')).toBe('contact_validation_phone')
      expect(text(wrapper, 'edit-language-error')).toBe('contact_validation_language')
      expect(text(wrapper, 'edit-custom-error')).toBe('contact_validation_customFieldKey')
      expect(wrapper.get('[data-testid="edit-email"]').attributes('aria-invalid')).toBe('true')
      expect(await db.outbox.count()).toBe(0)
      wrapper.unmount()
    })

    it('saves only the changed fields, and Cancel saves nothing', async () => {
      const wrapper = await mountPanel()
      await openForm(wrapper)
      await wrapper.get('[data-testid="edit-name"]').setValue('Ștefan Ionescu')
      await wrapper.get('[data-testid="edit-cancel"]').trigger('click')
      expect(wrapper.find('[data-testid="contact-edit-form"]').exists()).toBe(false)
      expect(await db.outbox.count()).toBe(0)

      await openForm(wrapper)
      await wrapper.get('[data-testid="edit-save"]').trigger('submit')
      expect(text(wrapper, 'edit-no-changes')).toBe('contact_edit_noChanges')
      expect(await db.outbox.count()).toBe(0)

      await wrapper.get('[data-testid="edit-name"]').setValue('Ștefan Ionescu')
      await wrapper.get('[data-testid="edit-phone"]').setValue('0040 733-000 111')
      await wrapper.get('[data-testid="edit-language"]').setValue('')
      await wrapper.get('[data-testid="edit-custom-remove"]').trigger('click')
      await wrapper.get('[data-testid="edit-custom-add"]').trigger('click')
      await wrapper.get('[data-testid="edit-custom-key"]').setValue('plan')
      await wrapper.get('[data-testid="edit-custom-value"]').setValue('gold')
      await wrapper.get('[data-testid="edit-save"]').trigger('submit')
      await settle(async () => {
        expect(await outbox()).toEqual([
          {
            type: 'contact.update',
            args: {
              contactId: 'c1',
              patch: {
                name: 'Ștefan Ionescu',
                phone: '+40733000111',
                language: null,
                customFields: { plan: 'gold' },
              },
            },
            state: 'queued',
          },
        ])
      })
      await settle(() => {
        expect(wrapper.find('[data-testid="contact-edit-form"]').exists()).toBe(false)
        expect(text(wrapper, 'contact-name')).toBe('Ștefan Ionescu')
        expect(text(wrapper, 'contact-phone')).toBe('+40733000111')
      })
      wrapper.unmount()
    })

    it('shows the server\'s refusal translated, next to the field it names', async () => {
      await db.outbox.add(failedRow(1, 'contact.update', {
        contactId: 'c1',
        patch: { email: 'taken@example.com' },
      }, { code: 'email_taken', message: 'email: taken', field: 'email' }) as never)
      const wrapper = await mountPanel()
      await settle(() => expect(wrapper.get('[data-testid="contact-details"] [data-testid="pending-error"]').text()).toBe('contact_errors_emailTaken'))
      // the bot toggles are not concerned
      expect(wrapper.find('[data-testid="bot-toggles"] [data-testid="pending"]').exists()).toBe(false)
      await openForm(wrapper)
      expect(text(wrapper, 'edit-email-error')).toBe('contact_errors_emailTaken')

      await db.outbox.update(1, {
        error: { code: 'invalid_request', message: 'args/patch/phone: bad', field: 'patch.phone' },
      })
      await settle(() => expect(text(wrapper, 'edit-phone-error')).toBe('contact_errors_invalidRequest'))

      // saving again replaces the refused row
      await wrapper.get('[data-testid="edit-phone"]').setValue('+40 744 000 222')
      await wrapper.get('[data-testid="edit-save"]').trigger('submit')
      await settle(async () => {
        expect(await outbox()).toEqual([
          {
            type: 'contact.update',
            args: {
              contactId: 'c1',
              patch: { phone: '+40744000222' },
            },
            state: 'queued',
          },
        ])
      })
      wrapper.unmount()
    })
  })

  describe('past conversations', () => {
    it('lists the contact\'s other conversations, local and from the server, newest first, and opens one', async () => {
      const wrapper = await mountPanel()
      await settle(() => expect(wrapper.findAll('[data-testid="past-item"]')).toHaveLength(2))
      expect(fetchMock).toHaveBeenCalledWith('https://inbox.example.com/api/contacts/c1/conversations', expect.objectContaining({ method: 'GET' }))
      const items = wrapper.findAll('[data-testid="past-item"]')
      expect(items.map(item => item.attributes('data-id'))).toEqual(['k0', 'k5'])
      expect(items.map(item => item.get('[data-testid="past-status"]').attributes('data-status'))).toEqual(['closed', 'closed'])
      expect(items.map(item => item.get('[data-testid="past-preview"]').text())).toEqual(['<b>thanks</b>', 'Old order'])
      expect(wrapper.find('[data-testid="past-item"] b').exists()).toBe(false)
      expect(items[0]!.get('[data-testid="past-date"]').text()).toBe(new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' }).format(NOW - 3 * 24 * 3600_000))
      await items[1]!.trigger('click')
      expect(wrapper.emitted('openConversation')).toEqual([
        ['k5'],
      ])
      wrapper.unmount()
    })

    it('keeps the local list when the server cannot be reached, and says so', async () => {
      fetchMock.mockRejectedValue(new TypeError('Failed to fetch'))
      const wrapper = await mountPanel()
      await settle(() => expect(text(wrapper, 'past-local-only')).toBe('contact_past_localOnly'))
      expect(wrapper.findAll('[data-testid="past-item"]').map(item => item.attributes('data-id'))).toEqual(['k0'])
      wrapper.unmount()
    })

    it('shows a server error with a retry', async () => {
      fetchMock.mockResolvedValueOnce(jsonResponse({
        error: { code: 'forbidden', message: 'no' },
      }, 403))
      const wrapper = await mountPanel()
      await settle(() => expect(text(wrapper, 'past-error')).toContain('contact_errors_forbidden'))
      await wrapper.get('[data-testid="past-retry"]').trigger('click')
      await settle(() => expect(wrapper.findAll('[data-testid="past-item"]')).toHaveLength(2))
      expect(wrapper.find('[data-testid="past-error"]').exists()).toBe(false)
      wrapper.unmount()
    })

    it('says when there are no other conversations', async () => {
      fetchMock.mockResolvedValue(jsonResponse({ items: [] }))
      const wrapper = await mountPanel('k9')
      await settle(() => expect(text(wrapper, 'past-empty')).toBe('contact_past_empty'))
      wrapper.unmount()
    })
  })
})
