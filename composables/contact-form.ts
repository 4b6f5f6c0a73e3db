import type { ContactPanel } from './contact-panel'
import type { UpdateContact } from '~/protocol/contacts'
import { computed } from 'vue'
import { discardPending, matchContactUpdate } from '~/utils/actions/pending'
import { CONTACT_FORM_FIELDS } from '~/utils/contacts/form'

/** The contact's edit form: its changes on their way, and saving a patch (replacing failed ones). */
export function useContactForm(panel: ContactPanel) {
  const editPending = computed(() => panel.contactId.value
    ? panel.pendingOf(matchContactUpdate(panel.contactId.value, CONTACT_FORM_FIELDS))
    : null)

  async function saveContact(patch: UpdateContact): Promise<void> {
    const act = panel.actions.value
    const id = panel.contactId.value
    if (!act || !id)
      return
    await discardPending(editPending.value, panel.db)
    await act.updateContact(id, patch)
  }

  return { editPending, saveContact }
}
