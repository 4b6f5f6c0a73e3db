/** Vitest global setup of the e2e project: builds the extension for both browsers once (when stale). */
import { buildExtension } from './harness.ts'

export default async function setup(): Promise<void> {
  await buildExtension({
    log: line => console.info(`[e2e] ${line}`),
  })
}
