import type { Label } from '~/utils/db'
import { normalizeText } from '~/utils/chats/text'

/** Existing labels matching what was typed (accents and case ignored), without the selected ones. */
export function matchingLabels(labels: readonly Label[], query: string, selectedIds: readonly string[], limit = 8): Label[] {
  const text = normalizeText(query)
  return labels
    .filter(label => !selectedIds.includes(label.id) && (!text || normalizeText(label.name).includes(text)))
    .sort((a, b) => {
      // names starting with the query first
      const byPrefix = Number(normalizeText(b.name).startsWith(text)) - Number(normalizeText(a.name).startsWith(text))
      return byPrefix || a.name.localeCompare(b.name)
    })
    .slice(0, limit)
}

/** The label called exactly `name` (case ignored), if there is one. */
export function labelNamed(labels: readonly Label[], name: string): Label | undefined {
  const wanted = name.trim().toLocaleLowerCase()
  return labels.find(label => label.name.toLocaleLowerCase() === wanted)
}

/** What the label editor's Update applies. */
export interface LabelChanges {
  add: string[]
  remove: string[]
  /** names of labels to create */
  create: string[]
}
