import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { h } from 'vue'
import CommonConfirmRow from '../CommonConfirmRow.vue'
import CommonFormField from '../CommonFormField.vue'
import CommonIcon from '../CommonIcon.vue'
import CommonIconButton from '../CommonIconButton.vue'
import CommonPendingNotice from '../CommonPendingNotice.vue'

describe('commonIconButton', () => {
  it('is a button named by its label, passing attributes and listeners on', async () => {
    let clicks = 0
    const wrapper = mount(CommonIconButton, {
      props: {
        icon: 'send',
        label: 'Send',
        solid: true,
        mirrored: true,
      },
      attrs: {
        'data-testid': 'send-button',
        'aria-expanded': 'false',
        'onClick': () => clicks++,
      },
    })
    const button = wrapper.get('button')
    expect(button.attributes()).toMatchObject({
      'type': 'button',
      'aria-label': 'Send',
      'title': 'Send',
      'data-testid': 'send-button',
      'aria-expanded': 'false',
    })
    expect(button.classes()).toContain('icon-btn-solid')
    expect(wrapper.get('[aria-hidden="true"]').classes()).toEqual(expect.arrayContaining(['i-wa-send', 'size-5', 'rtl:-scale-x-100']))
    await button.trigger('click')
    expect(clicks).toBe(1)
  })

  it('does not click when disabled, and takes another icon from its slot', async () => {
    let clicks = 0
    const wrapper = mount(CommonIconButton, {
      props: { label: 'More', size: 'sm' },
      attrs: {
        disabled: true,
        onClick: () => clicks++,
      },
      slots: {
        default: () => h('b', { class: 'custom' }),
      },
    })
    await wrapper.get('button').trigger('click')
    expect(clicks).toBe(0)
    expect(wrapper.get('button').classes()).toEqual(expect.arrayContaining(['icon-btn', 'size-8']))
    expect(wrapper.find('.custom').exists()).toBe(true)
  })

  it('draws a decorative icon', () => {
    const icon = mount(CommonIcon, {
      props: { name: 'settings' },
    })
    expect(icon.attributes()).toMatchObject({ 'class': 'i-wa-settings', 'aria-hidden': 'true' })
  })
})

describe('commonPendingNotice', () => {
  const texts = {
    queuedText: 'Waiting to sync',
    failedText: 'Not saved',
    retryText: 'Retry',
    discardText: 'Discard',
  }

  it('says nothing without a pending change, a status line while queued', async () => {
    const wrapper = mount(CommonPendingNotice, {
      props: { ...texts, state: null },
    })
    expect(wrapper.find('[data-testid="pending"]').exists()).toBe(false)
    await wrapper.setProps({ state: 'queued' })
    const line = wrapper.get('[data-testid="pending"]')
    expect(line.attributes()).toMatchObject({ 'role': 'status', 'data-state': 'queued' })
    expect(line.text()).toBe('Waiting to sync')
    expect(wrapper.find('button').exists()).toBe(false)
  })

  it('alerts a refusal with its reason, and emits retry and discard', async () => {
    const wrapper = mount(CommonPendingNotice, {
      props: {
        ...texts,
        state: 'failed',
        error: 'No permission',
        testid: 'outbox',
      },
    })
    const box = wrapper.get('[data-testid="outbox"]')
    expect(box.attributes()).toMatchObject({ 'role': 'alert', 'data-state': 'failed' })
    expect(wrapper.get('[data-testid="outbox-error"]').text()).toBe('No permission')
    await wrapper.get('[data-testid="outbox-retry"]').trigger('click')
    await wrapper.get('[data-testid="outbox-discard"]').trigger('click')
    expect(wrapper.emitted('retry')).toHaveLength(1)
    expect(wrapper.emitted('discard')).toHaveLength(1)
  })
})

describe('commonConfirmRow', () => {
  const props = {
    question: 'Delete this note?',
    confirmText: 'Delete',
    cancelText: 'Cancel',
    confirmTestid: 'yes',
    cancelTestid: 'no',
  }

  it('is an alertdialog named by its question; Confirm and Cancel emit', async () => {
    const wrapper = mount(CommonConfirmRow, {
      props,
      attrs: { 'data-testid': 'confirm' },
    })
    const dialog = wrapper.get('[role="alertdialog"]')
    expect(dialog.attributes('data-testid')).toBe('confirm')
    expect(wrapper.get(`#${dialog.attributes('aria-labelledby')}`).text()).toBe('Delete this note?')
    expect(wrapper.findAll('button').map(b => b.attributes('data-testid'))).toEqual(['yes', 'no'])
    await wrapper.get('[data-testid="yes"]').trigger('click')
    await wrapper.get('[data-testid="no"]').trigger('click')
    expect(wrapper.emitted('confirm')).toHaveLength(1)
    expect(wrapper.emitted('cancel')).toHaveLength(1)
  })

  it('puts Cancel first when asked, and disables Confirm while busy', async () => {
    const wrapper = mount(CommonConfirmRow, {
      props: { ...props, cancelFirst: true, busy: true },
    })
    expect(wrapper.findAll('button').map(b => b.attributes('data-testid'))).toEqual(['no', 'yes'])
    expect(wrapper.get('[data-testid="yes"]').attributes('disabled')).toBeDefined()
    await wrapper.get('[data-testid="yes"]').trigger('click')
    expect(wrapper.emitted('confirm')).toBeUndefined()
  })
})

describe('commonFormField', () => {
  function field(props: Record<string, unknown>) {
    return mount(CommonFormField, {
      props: { id: 'f-email', label: 'Email', ...props },
      slots: {
        default: (field: { control: Record<string, unknown> }) => h('input', { ...field.control, 'data-testid': 'control' }),
      },
    })
  }

  it('labels its control and describes it by the hint', () => {
    const wrapper = field({ hint: 'Where we write to' })
    expect(wrapper.get('label').attributes('for')).toBe('f-email')
    const input = wrapper.get('[data-testid="control"]')
    expect(input.attributes('id')).toBe('f-email')
    expect(input.attributes('aria-invalid')).toBeUndefined()
    expect(wrapper.get(`#${input.attributes('aria-describedby')}`).text()).toBe('Where we write to')
  })

  it('marks the control invalid and describes it by the error too', () => {
    const wrapper = field({
      hint: 'Where we write to',
      error: 'Not an address',
      errorTestid: 'email-error',
      errorRole: 'alert',
    })
    const input = wrapper.get('[data-testid="control"]')
    expect(input.attributes('aria-invalid')).toBe('true')
    expect(input.attributes('aria-describedby')).toBe('f-email-hint f-email-error')
    expect(wrapper.get('[data-testid="email-error"]').attributes()).toMatchObject({ id: 'f-email-error', role: 'alert' })
  })

  it('groups controls in a fieldset named by a legend', () => {
    const wrapper = field({ group: true, labelHidden: true, error: 'Pick one' })
    const fieldset = wrapper.get('fieldset')
    expect(fieldset.attributes('aria-describedby')).toBe('f-email-error')
    expect(wrapper.get('legend').text()).toBe('Email')
    expect(wrapper.get('legend').classes()).toContain('sr-only')
    expect(wrapper.find('label').exists()).toBe(false)
  })
})
