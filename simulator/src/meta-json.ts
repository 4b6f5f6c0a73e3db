// Meta serializes JSON with every non-ASCII UTF-16 code unit as a lowercase `\uXXXX` escape (emoji
// become surrogate pairs) and `/` as `\/`. Receivers that re-serialize parsed JSON before checking the
// signature break on exactly these bytes (Secreto31126/whatsapp-api-js#290), so we emit them too.

const NEEDS_ESCAPE = /[\u007F-\uFFFF/]/g

export function metaStringify(value: unknown): string {
  return JSON.stringify(value).replace(NEEDS_ESCAPE, (char) => {
    if (char === '/')
      return '\\/'
    return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`
  })
}
