// CLI: runs the simulator standalone (used by `npm start` demo mode). Configuration comes from the
// same environment variables the server reads, plus SIM_* settings; see simulator/README.md.

import type { Simulator } from './index.ts'
import type { SimulatorConfig } from './types.ts'
import process from 'node:process'
import { startSimulator } from './index.ts'
import { startScriptedCustomers } from './scripted-customers.ts'

const env = process.env
const log = (line: string) => console.log(`[simulator] ${line}`)

function numberFromEnv(name: string): number | undefined {
  const raw = env[name]
  if (raw === undefined || raw === '')
    return undefined
  const value = Number(raw)
  if (!Number.isFinite(value))
    throw new TypeError(`${name} must be a number, got "${raw}"`)
  return value
}

const readDelay = numberFromEnv('SIM_READ_DELAY_MS')
const config: SimulatorConfig = {
  host: env.SIM_HOST || '127.0.0.1',
  port: numberFromEnv('SIM_PORT') ?? 8788,
  appSecret: env.WHATSAPP_APP_SECRET || 'dev-app-secret',
  accessToken: env.WHATSAPP_ACCESS_TOKEN || 'dev-access-token',
  verifyToken: env.WHATSAPP_VERIFY_TOKEN || 'dev-verify-token',
  webhookUrl: env.SIM_WEBHOOK_URL || undefined,
  wabaId: env.WHATSAPP_BUSINESS_ACCOUNT_ID || '102290129340398',
  phoneNumberId: env.WHATSAPP_PHONE_NUMBER_ID || '106540352242922',
  displayPhoneNumber: (env.WHATSAPP_DISPLAY_PHONE_NUMBER || '15550783881').replace(/\D/g, ''),
  seed: numberFromEnv('SIM_SEED'),
  duplicateRate: numberFromEnv('SIM_DUPLICATE_RATE'),
  reorderRate: numberFromEnv('SIM_REORDER_RATE'),
  skipDeliveredRate: numberFromEnv('SIM_SKIP_DELIVERED_RATE'),
  // Human-paced ticks for the demo; scripted customers read sooner when they answer.
  statusDelaysMs: {
    sent: 300,
    delivered: 1200,
    read: readDelay === undefined
      ? 20_000
      : readDelay < 0
        ? null
        : readDelay,
  },
  windowErrorMode: env.SIM_WINDOW_ERROR_MODE === 'sync'
    ? 'sync'
    : 'status',
  log,
}
for (const name of ['WHATSAPP_APP_SECRET', 'WHATSAPP_ACCESS_TOKEN'] as const) {
  if (!env[name])
    log(`${name} is not set; using the simulator's demo value (the server must use the same one)`)
}

async function main() {
  const sim = await startSimulator(config)
  console.log(`WhatsApp Cloud API simulator listening on ${sim.url} (set WHATSAPP_GRAPH_URL=${sim.url})`)
  if (config.webhookUrl)
    log(`webhooks go to ${config.webhookUrl}`)
  else
    log('SIM_WEBHOOK_URL is not set; webhooks queue until one is configured')

  if (config.webhookUrl && env.SIM_HANDSHAKE !== '0')
    void verifyWebhook(sim)

  const scripted = env.SIM_SCRIPTED === '1'
    ? startScriptedCustomers(sim, { intervalMs: numberFromEnv('SIM_SCRIPT_INTERVAL_MS') ?? 8000, log })
    : undefined

  async function shutdown(signal: string) {
    log(`${signal}: shutting down`)
    scripted?.stop()
    await sim.close()
    process.exit(0)
  }
  process.once('SIGINT', () => void shutdown('SIGINT'))
  process.once('SIGTERM', () => void shutdown('SIGTERM'))
}

// Meta verifies the callback URL when it is saved; do the same once the server answers.
async function verifyWebhook(sim: Simulator) {
  for (let attempt = 0; attempt < 60; attempt++) {
    try {
      const result = await sim.handshake()
      if (!result.verified)
        log(`webhook verification failed (HTTP ${result.status}); check WHATSAPP_VERIFY_TOKEN on both sides`)
      return
    }
    catch {
      await new Promise(resolve => setTimeout(resolve, 1000))
    }
  }
  log('webhook endpoint did not answer the verification handshake within 60 s')
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
