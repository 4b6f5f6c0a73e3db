/**
 * Meta's webhook endpoint. GET: the verification handshake. POST: signature over the raw bytes
 * first, then the whole batch stored in one transaction, and only then 200. Anything that can be
 * kept (unknown fields, unknown numbers, malformed items) is stored and acknowledged, because a
 * non-200 makes Meta redeliver for seven days; a database failure answers 500 so Meta retries.
 */
import type { ChannelRegistry } from '../services/channels.ts'
import type { ResolvedChange, UnresolvedChange } from '../whatsapp/ingest.ts'
import type { Api } from './schemas.ts'
import { timingSafeEqual } from 'node:crypto'
import Type from 'typebox'
import { AppError } from '../errors.ts'
import { applyOrphanStatuses, ingestBatch } from '../whatsapp/ingest.ts'
import { matchSignature } from '../whatsapp/signature.ts'

function safeEqual(a: string, b: unknown): boolean {
  if (typeof b !== 'string')
    return false
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** The handshake's parameters, untouched: anything but the exact strings fails the check below. */
const HandshakeQuery = Type.Object({
  'hub.mode': Type.Optional(Type.Unknown()),
  'hub.verify_token': Type.Optional(Type.Unknown()),
  'hub.challenge': Type.Optional(Type.Unknown()),
})

export async function webhookRoutes(app: Api) {
  // Keep the body as raw bytes: the signature is over exactly what Meta sent.
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: app.config.webhookBodyLimit }, (_request, body, done) => done(null, body))

  app.get('/webhooks/whatsapp', {
    schema: { hide: true, querystring: HandshakeQuery },
  }, async (request, reply) => {
    const { query } = request
    const mode = query['hub.mode']
    const token = query['hub.verify_token'] ?? ''
    const challenge = query['hub.challenge'] ?? ''
    let tokens = app.channels.verifyTokens()
    if (!tokens.some(t => safeEqual(t, token)) && await app.channels.reload())
      tokens = app.channels.verifyTokens()
    if (mode !== 'subscribe' || !tokens.some(t => safeEqual(t, token)))
      throw new AppError(403, 'verify_token_mismatch', 'hub.mode must be "subscribe" and hub.verify_token must match the configured verify token')
    return reply.code(200).type('text/plain; charset=utf-8').send(challenge)
  })

  app.post('/webhooks/whatsapp', {
    schema: { hide: true },
    bodyLimit: app.config.webhookBodyLimit,
  }, async (request, reply) => {
    const raw = request.body
    if (!Buffer.isBuffer(raw))
      throw new AppError(415, 'unsupported_media_type', 'webhooks must be sent as application/json')
    const header = request.headers['x-hub-signature-256']
    if (typeof header !== 'string' || header === '')
      throw new AppError(401, 'signature_missing', 'missing X-Hub-Signature-256 header')
    let secret = matchSignature(raw, header, app.channels.secrets())
    if (!secret && await app.channels.reload())
      secret = matchSignature(raw, header, app.channels.secrets())
    if (!secret)
      throw new AppError(401, 'signature_invalid', 'X-Hub-Signature-256 does not match the body')

    let payload: any
    try {
      payload = JSON.parse(raw.toString('utf8'))
    }
    catch {
      throw new AppError(400, 'invalid_json', 'the body is not valid JSON')
    }
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload) || !Array.isArray(payload.entry))
      throw new AppError(400, 'invalid_payload', 'expected {object: "whatsapp_business_account", entry: [...]}')
    const { resolved, unresolved } = await sortChanges(app.channels, payload, secret)
    const result = await ingestBatch(app.db, app.storage.engine, resolved, unresolved, Date.now())
    app.publish(result.committed)
    if (result.botJobs > 0)
      app.bots?.wake()
    if (result.orphans.length > 0) {
      // The send may have committed while we were storing: look again now that both are committed.
      applyOrphanStatuses(app.db, result.orphans).then(
        app.publish,
        err => request.log.warn({ err }, 'applying early statuses failed; the send path will apply them'),
      )
    }
    // Counts only: message bodies never reach the logs at info level.
    request.log.info({ messages: result.inserted, duplicates: result.duplicates, statuses: result.statuses }, 'webhook stored')
    if (unresolved.length > 0) {
      request.log.warn({
        unresolved: unresolved.map(u => u.kind),
      }, 'webhook changes recorded without a known number or field')
    }
    return reply.code(200).send({ received: true })
  })
}

/**
 * Sorts a batch's changes: `messages` changes of a known number signed with its own app's secret
 * are resolved; everything else (another product's object, other fields, unknown numbers,
 * malformed entries) is kept as unresolved, to be stored and acknowledged all the same.
 */
async function sortChanges(channels: ChannelRegistry, payload: any, secret: string) {
  // Another product of the same Meta app (page, instagram…) posted to this callback: keep it and
  // acknowledge it, or Meta redelivers it for seven days.
  const otherObject = payload.object !== 'whatsapp_business_account'
  const resolved: ResolvedChange[] = []
  const unresolved: UnresolvedChange[] = []
  let reloaded = false
  for (const entry of payload.entry) {
    if (!Array.isArray(entry?.changes)) {
      unresolved.push({
        kind: 'malformed',
        field: null,
        channel: null,
        payload: { entry },
      })
      continue
    }
    for (const change of entry.changes) {
      const field = typeof change?.field === 'string'
        ? change.field.replaceAll('\u0000', '')
        : null
      const value = change?.value
      const phoneNumberId = value?.metadata?.phone_number_id
      let channel = typeof phoneNumberId === 'string'
        ? channels.byPhoneNumberId(phoneNumberId)
        : undefined
      if (!channel && typeof phoneNumberId === 'string' && !reloaded) {
        reloaded = await channels.reload()
        channel = channels.byPhoneNumberId(phoneNumberId)
      }
      // A number is only trusted under its own app's signature.
      const trusted = channel && channel.app_secret === secret
        ? channel
        : null
      if (otherObject || field !== 'messages' || !value || typeof value !== 'object' || Array.isArray(value)) {
        unresolved.push({
          kind: 'unknown_field',
          field,
          channel: trusted,
          payload: { object: payload.object, entryId: entry?.id ?? null, change },
        })
      }
      else if (!trusted) {
        unresolved.push({
          kind: 'unknown_number',
          field,
          channel: null,
          payload: { entryId: entry?.id ?? null, change },
        })
      }
      else {
        resolved.push({ channel: trusted, value })
      }
    }
  }
  return { resolved, unresolved }
}
