/**
 * The server is configured only through the environment (docs/configuration.md lists every
 * variable). `loadConfig` validates it once at start and fails with one clear line per problem.
 */
import path from 'node:path'

export interface WhatsAppBootstrap {
  appSecret: string
  verifyToken: string
  accessToken: string
  phoneNumberId: string
  businessAccountId: string
  displayPhoneNumber: string | null
}

export interface Config {
  port: number
  host: string
  dataDir: string
  databaseUrl: string | null
  /** SQLite durability: FULL fsyncs every commit (survives power loss); NORMAL survives process crashes only */
  sqliteSynchronous: 'FULL' | 'NORMAL'
  publicUrl: string
  logLevel: string
  adminEmail: string | null
  adminPassword: string | null
  adminName: string
  workspaceName: string
  whatsapp: WhatsAppBootstrap | null
  graphUrl: string
  apiVersion: string
  /** largest webhook body accepted, bytes: 1,000 updates of long non-Latin text escaped as \uXXXX can pass 4 MB */
  webhookBodyLimit: number
  /** largest media upload accepted, bytes (WhatsApp's own limit for documents is 100 MB) */
  mediaBodyLimit: number
  /** run the outbound worker in this process */
  worker: boolean
  /** run the bots (Reply Bot, AI Bot) in this process */
  bots: boolean
  /** per-number send rate (messages/s); Meta's default throughput is 80 */
  throughputPerSecond: number
  /** per-recipient pair limit: one message every `pairIntervalMs`, bursts up to `pairBurst` */
  pairIntervalMs: number
  pairBurst: number
  /** how often the worker applies stored statuses whose message arrived later */
  statusSweepIntervalMs: number
  /** how often snoozed conversations whose time has come are reopened */
  snoozeSweepMs: number
  /** how often report facts are refreshed in the background (workspaces that use reports) */
  reportsRefreshMs: number
  /** sign-in attempts a minute from one address (any e-mails), and for one e-mail (any addresses) */
  loginLimitPerIp: number
  loginLimitPerEmail: number
  /** change-log entries older than this are deleted; clients with older cursors start a new snapshot */
  changesRetentionDays: number
  /** sync the template list from Meta at start */
  syncTemplatesOnStart: boolean
}

export class ConfigError extends Error {}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, problems: string[]): number {
  const raw = env[name]
  if (raw === undefined || raw === '')
    return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 0) {
    problems.push(`${name} must be a non-negative integer (got "${raw}")`)
    return fallback
  }
  return value
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]
  if (raw === undefined || raw === '')
    return fallback
  return !['0', 'false', 'no', 'off'].includes(raw.toLowerCase())
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = []
  const port = int(env, 'PORT', 8787, problems)
  const host = env.HOST || '127.0.0.1'
  const whatsappVars = [
    'WHATSAPP_APP_SECRET',
    'WHATSAPP_VERIFY_TOKEN',
    'WHATSAPP_ACCESS_TOKEN',
    'WHATSAPP_PHONE_NUMBER_ID',
    'WHATSAPP_BUSINESS_ACCOUNT_ID',
  ] as const
  const present = whatsappVars.filter(name => env[name])
  let whatsapp: WhatsAppBootstrap | null = null
  if (present.length > 0 && present.length < whatsappVars.length) {
    problems.push(`set all of ${whatsappVars.join(', ')} or none (missing: ${whatsappVars.filter(n => !env[n]).join(', ')})`)
  }
  else if (present.length === whatsappVars.length) {
    whatsapp = {
      appSecret: env.WHATSAPP_APP_SECRET!,
      verifyToken: env.WHATSAPP_VERIFY_TOKEN!,
      accessToken: env.WHATSAPP_ACCESS_TOKEN!,
      phoneNumberId: env.WHATSAPP_PHONE_NUMBER_ID!,
      businessAccountId: env.WHATSAPP_BUSINESS_ACCOUNT_ID!,
      displayPhoneNumber: env.WHATSAPP_DISPLAY_PHONE_NUMBER || null,
    }
  }
  if ((env.ADMIN_EMAIL && !env.ADMIN_PASSWORD) || (!env.ADMIN_EMAIL && env.ADMIN_PASSWORD))
    problems.push('set both ADMIN_EMAIL and ADMIN_PASSWORD, or neither')
  if (env.ADMIN_PASSWORD && env.ADMIN_PASSWORD.length < 8)
    problems.push('ADMIN_PASSWORD must be at least 8 characters')
  const apiVersion = env.WHATSAPP_API_VERSION || 'v25.0'
  if (!/^v\d+\.\d+$/.test(apiVersion))
    problems.push(`WHATSAPP_API_VERSION must look like v25.0 (got "${apiVersion}")`)
  const graphUrl = (env.WHATSAPP_GRAPH_URL || 'https://graph.facebook.com').replace(/\/+$/, '')
  if (!/^https?:\/\//.test(graphUrl))
    problems.push(`WHATSAPP_GRAPH_URL must be an http(s) URL (got "${graphUrl}")`)
  const databaseUrl = env.DATABASE_URL || null
  if (databaseUrl && !/^postgres(?:ql)?:\/\//.test(databaseUrl))
    problems.push('DATABASE_URL must be a postgres:// URL (leave it unset for the embedded SQLite database)')

  const config: Config = {
    port,
    host,
    dataDir: path.resolve(env.DATA_DIR || './data'),
    databaseUrl,
    sqliteSynchronous: (env.SQLITE_SYNCHRONOUS || 'FULL').toUpperCase() === 'NORMAL'
      ? 'NORMAL'
      : 'FULL',
    publicUrl: (env.PUBLIC_URL || `http://${host}:${port}`).replace(/\/+$/, ''),
    logLevel: env.LOG_LEVEL || 'info',
    adminEmail: env.ADMIN_EMAIL || null,
    adminPassword: env.ADMIN_PASSWORD || null,
    adminName: env.ADMIN_NAME || 'Admin',
    workspaceName: env.WORKSPACE_NAME || 'My team',
    whatsapp,
    graphUrl,
    apiVersion,
    webhookBodyLimit: int(env, 'WEBHOOK_BODY_LIMIT', 16 * 1024 * 1024, problems),
    mediaBodyLimit: int(env, 'MEDIA_BODY_LIMIT', 100 * 1024 * 1024, problems),
    worker: bool(env, 'OUTBOUND_WORKER', true),
    bots: bool(env, 'BOTS', true),
    throughputPerSecond: int(env, 'WHATSAPP_THROUGHPUT', 80, problems),
    pairIntervalMs: int(env, 'WHATSAPP_PAIR_INTERVAL_MS', 6000, problems),
    pairBurst: int(env, 'WHATSAPP_PAIR_BURST', 45, problems),
    statusSweepIntervalMs: int(env, 'STATUS_SWEEP_INTERVAL_MS', 30_000, problems),
    snoozeSweepMs: int(env, 'SNOOZE_SWEEP_MS', 15_000, problems),
    reportsRefreshMs: int(env, 'REPORTS_REFRESH_MS', 30_000, problems),
    loginLimitPerIp: int(env, 'LOGIN_LIMIT_PER_IP', 30, problems),
    loginLimitPerEmail: int(env, 'LOGIN_LIMIT_PER_EMAIL', 30, problems),
    changesRetentionDays: int(env, 'CHANGES_RETENTION_DAYS', 30, problems),
    syncTemplatesOnStart: bool(env, 'SYNC_TEMPLATES_ON_START', true),
  }
  if (problems.length > 0)
    throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`)
  return config
}
