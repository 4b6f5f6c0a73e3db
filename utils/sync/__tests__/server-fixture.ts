/**
 * The server's own test helpers (server/test/), loaded at run time. They are Node code checked by
 * server/tsconfig.json; importing them statically would make the extension's typecheck (DOM
 * libs) check the whole server too, so the few parts these tests use are typed here.
 */
import type { Conversation } from '~/protocol/conversations'

export interface TestDatabase { drop: () => Promise<void> }

export interface ServerApp {
  close: () => Promise<void>
  listen: (options: { port: number, host: string }) => Promise<string>
}

export interface TestServer {
  url: string
  app: ServerApp
  database: TestDatabase
  api: (path: string, init?: RequestInit & { json?: unknown }) => Promise<Response>
  close: () => Promise<void>
}

interface Helper {
  startServer: (options?: { database?: TestDatabase }) => Promise<TestServer>
  login: (url: string) => Promise<string>
  eventually: <T>(check: () => Promise<T | undefined | null | false>, timeoutMs?: number, what?: string) => Promise<T>
  baseEnv: (database: TestDatabase) => Record<string, string>
}
interface Team {
  customerSays: (server: TestServer, waId: string, name: string, body?: string) => Promise<Conversation['id']>
}
interface App { buildApp: (options: { config: unknown, logger: false }) => Promise<ServerApp> }
interface Config { loadConfig: (env: Record<string, string>) => unknown }

function load<T>(path: string): Promise<T> {
  return import(/* @vite-ignore */ new URL(path, import.meta.url).pathname) as Promise<T>
}

const [helper, team, app, config] = await Promise.all([
  load<Helper>('../../../server/test/helper.ts'),
  load<Team>('../../../server/test/team.ts'),
  load<App>('../../../server/src/app.ts'),
  load<Config>('../../../server/src/config.ts'),
])

export const { startServer, login, eventually, baseEnv } = helper
export const { customerSays } = team

/** The server on `database` again, listening on `port` (the address a client already knows). */
export async function restartServer(server: TestServer, port: number): Promise<TestServer> {
  const restarted = await app.buildApp({
    config: config.loadConfig(baseEnv(server.database)),
    logger: false,
  })
  await restarted.listen({ port, host: '127.0.0.1' })
  return {
    ...server,
    app: restarted,
    async close() {
      await restarted.close()
      await server.database.drop()
    },
  }
}
