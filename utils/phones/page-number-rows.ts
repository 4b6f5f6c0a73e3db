/** "On this page": what the team knows about each phone number found in the agent's tab. */
import type { FoundPhone } from './scan'
import type { AppDB } from '~/utils/db'
import { findPhoneContacts } from './contacts'

export interface PageNumberRow {
  number: string
  raw: string
  contactId: string | null
  name: string | null
  conversationId: string | null
  /** null: unassigned */
  assignee: { id: string, name: string } | null
  mine: boolean
  labels: Array<{ id: string, name: string, color: string }>
  /** the 24-hour customer service window is open (free-form messages allowed) */
  windowOpen: boolean
  windowExpiresAt: number | null
}

function displayName(contact: { name: string | null, profileName: string | null }): string | null {
  return contact.name?.trim() || contact.profileName?.trim() || null
}

/** Each number's contact, owner, labels and 24-hour window as Dexie has them (a live query's body). */
export async function readPageNumberRows(db: AppDB, numbers: FoundPhone[], me: string | null, at: number): Promise<PageNumberRow[]> {
  const found = await findPhoneContacts(db, numbers.map(p => p.number))
  const [agents, allLabels] = await Promise.all([
    db.agents.toArray(),
    db.labels.toArray(),
  ])
  const agentsById = new Map(agents.map(a => [a.id, a]))
  const labelsById = new Map(allLabels.map(l => [l.id, l]))
  return numbers.map((phone) => {
    const match = found.get(phone.number)
    const conversation = match?.conversation ?? null
    const assignee = conversation?.assigneeId
      ? agentsById.get(conversation.assigneeId)
      : undefined
    const expires = conversation?.windowExpiresAt ?? null
    return {
      number: phone.number,
      raw: phone.raw,
      contactId: match?.contact.id ?? null,
      name: match
        ? displayName(match.contact)
        : null,
      conversationId: conversation?.id ?? null,
      assignee: conversation?.assigneeId
        ? { id: conversation.assigneeId, name: assignee?.name ?? '?' }
        : null,
      mine: !!me && conversation?.assigneeId === me,
      labels: (match?.contact.labelIds ?? []).flatMap((id) => {
        const label = labelsById.get(id)
        return label
          ? [
              { id: label.id, name: label.name, color: label.color },
            ]
          : []
      }),
      windowOpen: expires !== null && expires > at,
      windowExpiresAt: expires,
    }
  })
}
