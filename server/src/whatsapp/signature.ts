import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Meta signs every webhook POST with `X-Hub-Signature-256: sha256=<hex>`, the HMAC-SHA256 of the
 * raw body bytes keyed with the app secret. Verify the bytes as received, never a re-serialisation
 * (Meta escapes non-ASCII as \uXXXX). Returns the secret that matched, or null.
 */
export function matchSignature(raw: Buffer, header: string, secrets: Iterable<string>): string | null {
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim())
  if (!match)
    return null
  const given = Buffer.from(match[1]!.toLowerCase(), 'hex')
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(raw).digest()
    if (timingSafeEqual(given, expected))
      return secret
  }
  return null
}

export function sign(raw: Buffer | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`
}
