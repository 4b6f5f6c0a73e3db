/** How contacts' names read in lists and headers. */
import type { Contact } from '~/utils/db'

/** Lowercase without diacritics: "Ștefan Ionuț" → "stefan ionut". */
export function normalizeText(value: string): string {
  return value.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim()
}

/** The name a contact is shown under: the team's name, then the WhatsApp profile name, then the phone. */
export function contactDisplayName(contact: Pick<Contact, 'name' | 'profileName' | 'phone' | 'waId'>): string {
  return contact.name?.trim() || contact.profileName?.trim() || contact.phone || contact.waId || '?'
}

/** Up to two initials ("Ana Maria Pop" → "AP"); a phone number gets none (the avatar shows "#"). */
export function initialsOf(name: string): string {
  const words = name.split(/\s+/).filter(word => /\p{L}/u.test(word))
  if (words.length === 0)
    return '#'
  const first = [...words[0]!][0] ?? ''
  const last = words.length > 1
    ? [
        ...words.at(-1)!,
      ][0] ?? ''
    : ''
  return (first + last).toUpperCase()
}
