/**
 * Checks that the shipped build (.output/, `npm run build:ext`) has none of the test build's hooks
 * (entrypoints/background/test-hooks.ts: `globalThis.__waInboxTest`, `globalThis.waInbox`), which
 * only `WA_TEST_HOOKS=1` builds (.output-test/, e2e/harness.ts) may carry. Exits 1 naming the file.
 *
 *   node scripts/check-build.ts [dir …]     (default: .output/chrome-mv3 .output/firefox-mv2)
 */
import fs from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const dirs = process.argv.length > 2
  ? process.argv.slice(2)
  : ['chrome-mv3', 'firefox-mv2'].map(name => path.join(root, '.output', name))
/** the hooks' property names, as a minifier leaves them (`.waInbox=`, `__waInboxTest`) */
const HOOKS = /__waInboxTest|\bwaInbox\b/

function scripts(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter(file => file.endsWith('.js'))
    .map(file => path.join(dir, file))
}

let failed = false
for (const dir of dirs) {
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) {
    console.error(`check-build: no build in ${dir}`)
    failed = true
    continue
  }
  const files = scripts(dir)
  for (const file of files) {
    const match = HOOKS.exec(fs.readFileSync(file, 'utf8'))
    if (match) {
      console.error(`check-build: ${path.relative(root, file)} has the test hook "${match[0]}" (build without WA_TEST_HOOKS)`)
      failed = true
    }
  }
  if (!failed)
    console.log(`check-build: ${path.relative(root, dir)}: ${files.length} scripts, no test hooks`)
}
process.exit(failed ? 1 : 0)
