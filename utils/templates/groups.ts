/** The picker's list of templates: grouped by name, searched, the language to start with, titles. */
import type { Template } from '~/utils/db'
import { normalizeText } from '~/utils/chats/text'

/** A template name and the languages it exists in (approved only). */
export interface TemplateGroup {
  name: string
  category: string | null
  templates: Template[]
}

/** Approved templates grouped by name, sorted, matching `search` (name, words ignoring `_`). */
export function groupTemplates(templates: Template[], search = ''): TemplateGroup[] {
  const query = normalizeText(search.trim()).replace(/\s+/g, '_')
  const groups = new Map<string, TemplateGroup>()
  for (const template of templates) {
    if (template.status !== 'APPROVED')
      continue
    if (query && !normalizeText(template.name).includes(query))
      continue
    const group = groups.get(template.name) ?? { name: template.name, category: template.category, templates: [] }
    group.templates.push(template)
    groups.set(template.name, group)
  }
  return [
    ...groups.values(),
  ]
    .map(group => ({
      ...group,
      templates: group.templates.sort((a, b) => a.language.localeCompare(b.language)),
    }))
    .sort((a, b) => a.name.localeCompare(b.name))
}

/**
 * The language to start with: the contact's (`ro` matches `ro` or `ro_RO`), else the UI's,
 * else the first.
 */
export function preferredLanguage(templates: Template[], ...wanted: Array<string | null | undefined>): Template | undefined {
  for (const tag of wanted) {
    if (!tag)
      continue
    const norm = tag.replace('-', '_').toLowerCase()
    const base = norm.split('_')[0]!
    const found = templates.find(t => t.language.toLowerCase() === norm)
      ?? templates.find(t => t.language.toLowerCase() === base)
      ?? templates.find(t => t.language.toLowerCase().split('_')[0] === base)
    if (found)
      return found
  }
  return templates[0]
}

/** A display name for a template: `order_update` → `Order update`. */
export function templateTitle(name: string): string {
  const words = name.replace(/_/g, ' ').trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}
