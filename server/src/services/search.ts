/**
 * What contact search matches against: names folded to lower case without accents (so "stefan"
 * finds "Ștefan"), and the phone number's digits (so "0722" finds +40 722 …).
 */
export function foldText(value: string): string {
  return value.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim()
}

export function digitsOf(value: string | null | undefined): string {
  return (value ?? '').replace(/\D/g, '')
}

export interface Searchable {
  name?: string | null
  profile_name?: string | null
  username?: string | null
  email?: string | null
  phone?: string | null
  wa_id?: string | null
}

export function searchColumns(c: Searchable): { search_text: string, search_digits: string } {
  const words = [
    c.name,
    c.profile_name,
    c.username,
    c.email,
  ].filter(Boolean).map(v => foldText(v!))
  return {
    search_text: words.join(' '),
    search_digits: [
      ...new Set([
        digitsOf(c.phone),
        digitsOf(c.wa_id),
      ].filter(Boolean)),
    ].join(' '),
  }
}

/** Escapes LIKE wildcards in user input (used with `ESCAPE '\\'`). */
export function likeEscape(value: string): string {
  return value.replace(/[\\%_]/g, m => `\\${m}`)
}
