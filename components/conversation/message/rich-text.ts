/**
 * A message's text as a small tree the template renders with plain elements (never HTML):
 * http(s) links and WhatsApp's formatting, *bold*, _italic_, ~strike~ and ```monospace```.
 */

export type RichNode
  = | { type: 'text', text: string }
    | { type: 'link', href: string, text: string }
    | { type: 'bold' | 'italic' | 'strike', children: RichNode[] }
    | { type: 'mono', text: string }

const MARKERS: Record<string, 'bold' | 'italic' | 'strike'> = {
  '*': 'bold',
  '_': 'italic',
  '~': 'strike',
}

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"]+/giu
/** Punctuation (and formatting markers) that end a sentence rather than the link they follow. */
const TRAILING = /[.,;:!?'"”’»…*_~]+$/u

interface Range {
  start: number
  end: number
  href: string
}

/** Trims a closing bracket that has no opening one inside the link ("(see https://x.y/a)"). */
function trimUnbalanced(url: string): string {
  let result = url.replace(TRAILING, '')
  for (const [open, close] of [
    ['(', ')'],
    ['[', ']'],
    ['{', '}'],
  ] as const) {
    while (result.endsWith(close) && result.split(close).length > result.split(open).length)
      result = result.slice(0, -1).replace(TRAILING, '')
  }
  return result
}

/** The http(s) links in a text, as ranges; anything `URL` cannot parse stays text. */
export function findLinks(text: string): Range[] {
  const ranges: Range[] = []
  for (const match of text.matchAll(URL_PATTERN)) {
    const raw = trimUnbalanced(match[0])
    try {
      const url = new URL(raw)
      if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '')
        ranges.push({ start: match.index, end: match.index + raw.length, href: url.href })
    }
    catch {}
  }
  return ranges
}

const isWordChar = (char: string | undefined): boolean => char !== undefined && /[\p{L}\p{N}]/u.test(char)
const isSpace = (char: string | undefined): boolean => char === undefined || /\s/u.test(char)

function inLink(links: Range[], index: number): boolean {
  return links.some(link => index >= link.start && index < link.end)
}

/** Text and links of `text[from, to)`. */
function leaves(text: string, from: number, to: number, links: Range[]): RichNode[] {
  const nodes: RichNode[] = []
  let at = from
  for (const link of links) {
    if (link.end <= from || link.start >= to)
      continue
    if (link.start > at) {
      nodes.push({
        type: 'text',
        text: text.slice(at, link.start),
      })
    }
    nodes.push({
      type: 'link',
      href: link.href,
      text: text.slice(link.start, link.end),
    })
    at = link.end
  }
  if (at < to) {
    nodes.push({
      type: 'text',
      text: text.slice(at, to),
    })
  }
  return nodes
}

/** The closing marker for an opening one at `open`, on the same line; -1 when there is none. */
function closing(text: string, open: number, to: number, links: Range[]): number {
  const marker = text[open]!
  for (let index = open + 2; index < to; index++) {
    const char = text[index]
    if (char === '\n')
      return -1
    if (char === marker && !inLink(links, index) && !isSpace(text[index - 1]) && !isWordChar(text[index + 1]))
      return index
  }
  return -1
}

function parseRange(text: string, from: number, to: number, links: Range[]): RichNode[] {
  const nodes: RichNode[] = []
  let plainFrom = from
  let index = from
  while (index < to) {
    if (text.startsWith('```', index)) {
      const end = text.indexOf('```', index + 3)
      if (end !== -1 && end + 3 <= to && end > index + 3) {
        nodes.push(...leaves(text, plainFrom, index, links))
        nodes.push({
          type: 'mono',
          text: text.slice(index + 3, end),
        })
        index = end + 3
        plainFrom = index
        continue
      }
    }
    const type = MARKERS[text[index]!]
    if (type && !inLink(links, index) && (index === from || !isWordChar(text[index - 1])) && !isSpace(text[index + 1]) && text[index + 1] !== text[index]) {
      const end = closing(text, index, to, links)
      if (end !== -1) {
        nodes.push(...leaves(text, plainFrom, index, links))
        nodes.push({
          type,
          children: parseRange(text, index + 1, end, links),
        })
        index = end + 1
        plainFrom = index
        continue
      }
    }
    index++
  }
  nodes.push(...leaves(text, plainFrom, to, links))
  return nodes
}

/** Parses a message's text into text, link and formatting nodes. */
export function parseRichText(text: string): RichNode[] {
  return parseRange(text, 0, text.length, findLinks(text))
}
