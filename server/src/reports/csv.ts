/**
 * CSV for spreadsheets (RFC 4180): fields with a comma, quote or line break are quoted, quotes
 * doubled, lines end with CRLF, and a UTF-8 byte order mark lets Excel read names with diacritics.
 * Formula injection guard (OWASP "CSV Injection"): a text cell starting with = + - @ (or a tab or
 * carriage return) is prefixed with a single quote, so a contact named `=HYPERLINK(…)` stays text.
 */
export type CsvCell = string | number | null | undefined

export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined)
    return ''
  if (typeof value === 'number')
    return String(value)
  let text = value
  if (/^[=+\-@\t\r]/.test(text))
    text = `'${text}`
  if (/[",\r\n]/.test(text))
    text = `"${text.replace(/"/g, '""')}"`
  return text
}

export function csvDocument(columns: readonly string[], rows: CsvCell[][]): string {
  const lines = [
    columns.join(','),
  ]
  for (const row of rows)
    lines.push(row.map(csvCell).join(','))
  return `\uFEFF${lines.join('\r\n')}\r\n`
}
