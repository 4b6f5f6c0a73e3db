/**
 * `npm start`: the whole product on one machine, no Meta account needed. Builds the extension
 * (Chrome and Firefox), starts the WhatsApp Cloud API simulator with scripted customers and the
 * server wired to it (demo workspace, embedded SQLite under ./data/demo), and prints how to log in
 * and load the extension. Ctrl+C stops everything.
 */
import type { ChildProcess } from 'node:child_process'
import { spawn } from 'node:child_process'
import net from 'node:net'
import path from 'node:path'
import process from 'node:process'
import { seedDemoBots } from './demo-bots.ts'
import { DEMO_AGENTS, seedDemoTeam } from './demo-team.ts'

const root = path.resolve(import.meta.dirname, '..')
const bin = path.join(root, 'node_modules', '.bin')
const port = Number(process.env.PORT || 8787)
const simPort = Number(process.env.SIM_PORT || 8788)
const demo = {
  ADMIN_EMAIL: process.env.ADMIN_EMAIL || 'admin@demo.wa-inbox.test',
  ADMIN_PASSWORD: process.env.ADMIN_PASSWORD || 'demo-password',
  ADMIN_NAME: 'Demo Admin',
  WORKSPACE_NAME: 'Demo shop',
  WHATSAPP_APP_SECRET: 'demo-app-secret',
  WHATSAPP_VERIFY_TOKEN: 'demo-verify-token',
  WHATSAPP_ACCESS_TOKEN: 'demo-access-token',
  WHATSAPP_PHONE_NUMBER_ID: '106540352242922',
  WHATSAPP_BUSINESS_ACCOUNT_ID: '102290129340398',
  WHATSAPP_DISPLAY_PHONE_NUMBER: '15550783881',
}
const children: ChildProcess[] = []
let stopping = false
// WA_TEST_HOOKS is for the e2e harness's own build (.output-test/): `npm start` builds the shipped one.
const env = { ...process.env, WA_TEST_HOOKS: undefined, PATH: `${bin}${path.delimiter}${process.env.PATH}` }

function say(line = '') {
  process.stdout.write(`${line}\n`)
}

function portFree(p: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer().once('error', () => resolve(false)).once('listening', () => server.close(() => resolve(true)))
    server.listen(p, '127.0.0.1')
  })
}

function run(command: string, args: string[], label: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout!.on('data', (d) => {
      output += d
    })
    child.stderr!.on('data', (d) => {
      output += d
    })
    child.on('exit', code => code === 0
      ? resolve()
      : reject(new Error(`${label} failed (exit ${code}):\n${output}`)))
  })
}

/** Pino's JSON lines, made readable: `[server] webhook stored messages=1`. */
function prettyServerLine(line: string): string {
  try {
    const entry = JSON.parse(line) as Record<string, unknown>
    const { level, time, pid, hostname, msg, reqId, ...rest } = entry
    const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'object'
      ? JSON.stringify(v)
      : String(v)}`).join(' ')
    const tag = Number(level) >= 50
      ? 'ERROR '
      : Number(level) >= 40
        ? 'WARN '
        : ''
    return `[server] ${tag}${String(msg)}${fields
      ? ` ${fields}`
      : ''}`
  }
  catch {
    return `[server] ${line}`
  }
}

function start(label: string, script: string, extraEnv: Record<string, string>, pretty?: (line: string) => string): ChildProcess {
  const child = spawn(path.join(bin, 'node'), [script], {
    cwd: root,
    env: {
      ...env,
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  for (const stream of [child.stdout!, child.stderr!]) {
    let buffer = ''
    stream.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8')
      const lines = buffer.split('\n')
      buffer = lines.pop()!
      for (const line of lines.filter(Boolean)) {
        say(pretty
          ? pretty(line)
          : line)
      }
    })
  }
  child.on('exit', (code, signal) => {
    if (!stopping) {
      say(`${label} stopped (${signal ?? `exit ${code}`}); shutting down`)
      stop(1)
    }
  })
  return child
}

function stop(code = 0) {
  if (stopping)
    return
  stopping = true
  for (const child of children)
    child.kill('SIGTERM')
  setTimeout(() => process.exit(code), 1500).unref()
}
process.on('SIGINT', () => stop(0))
process.on('SIGTERM', () => stop(0))

async function waitForHealth(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/api/health`)).ok)
        return
    }
    catch {}
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  throw new Error(`the server did not answer ${url}/api/health within ${timeoutMs / 1000} s`)
}

async function main() {
  for (const [p, name] of [
    [port, 'PORT'],
    [simPort, 'SIM_PORT'],
  ] as const) {
    if (!(await portFree(p))) {
      say(`Port ${p} is in use. Stop what uses it, or choose another with ${name}=… npm start`)
      process.exit(1)
    }
  }
  say('Building the extension for Chrome and Firefox…')
  const started = Date.now()
  await run(path.join(bin, 'wxt'), ['build'], 'wxt build (chrome)')
  await run(path.join(bin, 'wxt'), ['build', '-b', 'firefox'], 'wxt build (firefox)')
  say(`Built in ${((Date.now() - started) / 1000).toFixed(1)} s.`)

  const serverUrl = `http://127.0.0.1:${port}`
  const simUrl = `http://127.0.0.1:${simPort}`
  start('the simulator', 'simulator/src/main.ts', {
    ...demo,
    SIM_PORT: String(simPort),
    SIM_WEBHOOK_URL: `${serverUrl}/webhooks/whatsapp`,
    SIM_SCRIPTED: '1',
  })
  start('the server', 'server/src/server.ts', {
    ...demo,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: process.env.DATA_DIR || path.join(root, 'data', 'demo'),
    DATABASE_URL: process.env.DATABASE_URL || '',
    WHATSAPP_GRAPH_URL: simUrl,
    LOG_LEVEL: process.env.LOG_LEVEL || 'info',
  }, prettyServerLine)
  await waitForHealth(serverUrl)
  const team = await seedDemoTeam(serverUrl, { email: demo.ADMIN_EMAIL, password: demo.ADMIN_PASSWORD }).catch((error: unknown) => {
    say(`Could not create the demo team: ${error instanceof Error
      ? error.message
      : String(error)}`)
    return []
  })
  const knowledge = await seedDemoBots(serverUrl, { email: demo.ADMIN_EMAIL, password: demo.ADMIN_PASSWORD }).catch((error: unknown) => {
    say(`Could not set up the demo bots: ${error instanceof Error
      ? error.message
      : String(error)}`)
    return 0
  })

  say('')
  say('WA Inbox is running.')
  say(`  Server:      ${serverUrl}   (health: ${serverUrl}/api/health, API: ${serverUrl}/api/openapi.json)`)
  say(`  Simulator:   ${simUrl}   (stands in for Meta's WhatsApp Cloud API; scripted customers are writing)`)
  say(`  Admin login: ${demo.ADMIN_EMAIL} / ${demo.ADMIN_PASSWORD}`)
  say(`  Agents:      ${DEMO_AGENTS.map(a => a.email).join(', ')} (same password)${team.length > 0
    ? ' — created now, with a team, labels and quick replies'
    : ''}`)
  say(`  Bots:        the AI Bot and the Reply Bot are on for new customers${knowledge > 0
    ? ` (knowledge base of ${knowledge} entries created now)`
    : ''}; options page → Bots to change them`)
  say('  Load the extension:')
  say(`    Chrome:  chrome://extensions → Developer mode → Load unpacked → ${path.join(root, '.output', 'chrome-mv3')}`)
  say(`    Firefox: about:debugging#/runtime/this-firefox → Load Temporary Add-on… → ${path.join(root, '.output', 'firefox-mv2', 'manifest.json')}`)
  say('  Then open the side panel (Chrome: the toolbar icon; Firefox: View → Sidebar → WA Inbox).')
  say('  Ctrl+C stops everything. Customers\' messages arrive below.')
  say('')
}

main().catch((error: unknown) => {
  say(error instanceof Error
    ? error.message
    : String(error))
  stop(1)
})
