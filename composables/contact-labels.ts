import type { ContactPanel } from './contact-panel'
import type { LabelChanges } from '~/utils/contacts/labels'
import { computed } from 'vue'
import { discardPending, outboxArg } from '~/utils/actions/pending'

/** The contact's labels: the changes on their way (and which labels they touch), and applying the editor's. */
export function useContactLabels(panel: ContactPanel) {
  const labelPending = computed(() => {
    const id = panel.contactId.value
    if (!id)
      return null
    // a `label.create` belongs to the contact through the `contact.addLabel` that uses it
    const labelIds = new Set(panel.outbox.value
      .filter(row => row.type === 'contact.addLabel' && outboxArg(row, 'contactId') === id)
      .map(row => outboxArg(row, 'labelId')))
    return panel.pendingOf(row => ((row.type === 'contact.addLabel' || row.type === 'contact.removeLabel') && outboxArg(row, 'contactId') === id)
      || (row.type === 'label.create' && labelIds.has(outboxArg(row, 'id'))))
  })

  /** labels with a change on its way (their chips show it) */
  const pendingLabelIds = computed(() => new Set((labelPending.value?.rows ?? [])
    .map(row => outboxArg(row, 'labelId') ?? outboxArg(row, 'id'))
    .filter((id): id is string => id !== undefined)))

  async function applyLabels(changes: LabelChanges): Promise<void> {
    const act = panel.actions.value
    const id = panel.contactId.value
    if (!act || !id)
      return
    await discardPending(labelPending.value, panel.db)
    for (const labelId of changes.remove)
      await act.removeLabel(id, labelId)
    for (const labelId of changes.add)
      await act.addLabel(id, labelId)
    for (const name of changes.create)
      await act.addLabelByName(id, name)
  }

  return { labelPending, pendingLabelIds, applyLabels }
}
