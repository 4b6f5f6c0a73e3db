import type { ContactPanel } from './contact-panel'
import { computed } from 'vue'
import { discardPending, matchOutbox } from '~/utils/actions/pending'

/** Who the conversation is assigned to and which team: the change on its way, and saving one. */
export function useAssignment(panel: ContactPanel) {
  const assignmentPending = computed(() => panel.conversation.value
    ? panel.pendingOf(matchOutbox(['conversation.assign', 'conversation.setTeam'], 'conversationId', panel.conversation.value.id))
    : null)

  /** Replaces the failed rows of an earlier change, so an old error does not linger. */
  async function saveAssignment(assigneeId: string | null, teamId: string | null): Promise<void> {
    const act = panel.actions.value
    const current = panel.conversation.value
    if (!act || !current)
      return
    await discardPending(assignmentPending.value, panel.db)
    if (assigneeId !== current.assigneeId)
      await act.assign(current.id, assigneeId)
    if (teamId !== current.teamId)
      await act.setTeam(current.id, teamId)
  }

  return { assignmentPending, saveAssignment }
}
