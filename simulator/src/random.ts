// Seeded randomness. Ids come from one sequential stream (so they depend on the order of calls);
// behavioural choices (duplicates, reordering, skips, batch layout) use keyed draws, which depend only
// on the seed and a stable key such as a wamid or a batch number, never on timing.

/** mulberry32: a tiny 32-bit PRNG; returns a function yielding floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6D2B79F5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** FNV-1a over the UTF-16 code units of a string. */
export function hash32(text: string): number {
  let hash = 0x811C9DC5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

export interface Random {
  /** Next float from the sequential stream. */
  next: () => number
  /** A float in [0, 1) determined by the seed and `key` alone. */
  keyed: (key: string) => number
  /** `count` digits from the sequential stream (first digit non-zero). */
  digits: (count: number) => string
  /** Uppercase hex from the sequential stream. */
  hex: (count: number) => string
  /** Base62-ish characters from the sequential stream. */
  alnum: (count: number) => string
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

export function createRandom(seed: number): Random {
  const next = mulberry32(seed)
  const pick = (alphabet: string, count: number) => {
    let out = ''
    for (let i = 0; i < count; i++)
      out += alphabet[Math.floor(next() * alphabet.length)]
    return out
  }
  return {
    next,
    keyed: key => mulberry32(hash32(`${seed}:${key}`))(),
    digits: count => pick('123456789', 1) + pick('0123456789', count - 1),
    hex: count => pick('0123456789ABCDEF', count),
    alnum: count => pick(ALNUM, count),
  }
}

/**
 * Builds a wamid shaped like Meta's: `wamid.` + base64 of a small protobuf-like record holding the
 * customer's number and a hex message id (inbound ids carry 20 hex chars, outbound 18), e.g.
 * `wamid.HBgMOTE5MDk2MDUzOTcwFQIAERgSMDhFNzkzQ0QzQUMzQTVGQjA2AA==`.
 */
export function makeWamid(random: Random, phone: string, direction: 'inbound' | 'outbound'): string {
  const number = phone.length > 0
    ? phone
    : random.digits(11)
  const id = random.hex(direction === 'inbound'
    ? 20
    : 18)
  const bytes = [
    0x1C,
    0x18,
    number.length,
    ...Buffer.from(number, 'latin1'),
    0x15,
    0x02,
    0x00,
    direction === 'inbound'
      ? 0x12
      : 0x11,
    0x18,
    id.length,
    ...Buffer.from(id, 'latin1'),
    0x00,
  ]
  return `wamid.${Buffer.from(bytes).toString('base64')}`
}

/** Business-scoped user id derived from the wa_id so it stays stable across runs ('US.' + 20 digits). */
export function makeBsuid(seed: number, waId: string): string {
  const next = mulberry32(hash32(`${seed}:bsuid:${waId}`))
  let digits = String(1 + Math.floor(next() * 9))
  while (digits.length < 20)
    digits += String(Math.floor(next() * 10))
  return `US.${digits}`
}
