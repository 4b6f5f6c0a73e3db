import type { ContactPanel } from './contact-panel'
import type { PendingStatus } from '~/utils/actions/pending'
import type { BotField } from '~/utils/contacts/bots'
import { computed } from 'vue'
import { discardPending, matchContactUpdate } from '~/utils/actions/pending'
import { BOT_FIELDS } from '~/utils/contacts/bots'

/** The contact's bot switches: each one's change on its way, and turning one on or off. */
export function useContactBots(panel: ContactPanel) {
  const botPending = computed(() => Object.fromEntries(BOT_FIELDS.map(field => [
    field,
    panel.contactId.value
      ? panel.pendingOf(matchContactUpdate(panel.contactId.value, [field]))
      : null,
  ])) as Record<BotField, PendingStatus | null>)

  async function setBot(field: BotField, value: boolean): Promise<void> {
    const act = panel.actions.value
    const id = panel.contactId.value
    if (!act || !id)
      return
    await discardPending(botPending.value[field], panel.db)
    await act.updateContact(id, { [field]: value })
  }

  return { botPending, setBot }
}
