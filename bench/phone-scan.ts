/**
 * Phone numbers on a page (issue 5): `scanPhoneNumbers` over the visible text of a 10,000-row
 * table (names, phones in mixed formats, e-mails, order numbers, dates, IBANs, prices), in Node and
 * in headless Chromium inside an extension page (the same code, bundled by Vite like the
 * extension's). Target: < 100 ms for every number on the page (the default since the scan has no
 * cap: `default`); `first_200` stops after 200 distinct numbers, the old default. Also the size
 * scan.ts + libphonenumber-js ('min' metadata) add to a bundle, minified and gzipped.
 *
 * Not part of `npm run bench` (bench/run.ts); run it alone:
 *   node -e "import('./bench/phone-scan.ts').then(m => m.benchPhoneScan({ quick: false }))"
 */
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { buildExtension, launchChromium, ROOT } from '../e2e/harness.ts'
import { scanPhoneNumbers } from '../utils/phones/scan.ts'
import { emit } from './lib.ts'

const FORMATS = [
  (n: string) => `0${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`,
  (n: string) => `+40 ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`,
  (n: string) => `0040${n}`,
  (n: string) => `(0${n.slice(0, 3)}) ${n.slice(3, 6)}-${n.slice(6)}`,
  (n: string) => `0${n.slice(0, 3)}.${n.slice(3, 6)}.${n.slice(6)}`,
  (n: string) => `+40${n}`,
]
const NAMES = [
  'Ana Popescu',
  'Ion Ionescu',
  'Maria Georgescu',
  'Radu Stan',
  'Elena Dumitru',
  'Mihai Constantin',
]

/** The visible text (`innerText`) of a table: one row per line, cells separated by tabs. */
export function tableText(rows: number): string {
  const lines = ['Name\tPhone\tE-mail\tOrder\tDate\tIBAN\tTotal']
  for (let i = 0; i < rows; i++) {
    const national = `7${String(20_000_000 + i * 7).padStart(8, '0')}`
    lines.push([
      `${NAMES[i % NAMES.length]} ${i}`,
      FORMATS[i % FORMATS.length]!(national),
      `client${i}@example.com`,
      `#${4_000_000_000 + i}`,
      `2024-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
      `RO49 AAAA 1B31 0075 ${String(1000 + (i % 9000))} ${String(i % 10_000).padStart(4, '0')}`,
      `${(1000 + i * 3.7).toLocaleString('ro-RO', { minimumFractionDigits: 2 })} lei`,
    ].join('\t'))
  }
  return lines.join('\n')
}

const MODES = [
  ['default', undefined],
  ['first_200', 200],
] as const

interface Timing { ms_p50: number, ms_max: number, found: number, chars: number }

function time(runs: number, fn: () => number, chars: number): Timing {
  const times: number[] = []
  let found = 0
  fn() // warm-up (JIT, metadata)
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    found = fn()
    times.push(performance.now() - started)
  }
  times.sort((a, b) => a - b)
  return {
    ms_p50: Math.round(times[Math.floor(times.length / 2)]! * 10) / 10,
    ms_max: Math.round(times.at(-1)! * 10) / 10,
    found,
    chars,
  }
}

async function bundleScan(minify: boolean): Promise<string> {
  const { build } = await import('vite')
  const output = await build({
    configFile: false,
    root: ROOT,
    logLevel: 'silent',
    resolve: {
      alias: { '~': ROOT },
    },
    build: {
      write: false,
      minify,
      emptyOutDir: false,
      lib: {
        entry: path.join(ROOT, 'utils', 'phones', 'scan.ts'),
        formats: ['iife'],
        name: '__waPhoneScan',
        fileName: 'scan',
      },
    },
  })
  const result = (Array.isArray(output)
    ? output[0]
    : output) as { output: Array<{ type: string, code?: string }> }
  const chunk = result.output.find(item => item.type === 'chunk')
  if (!chunk?.code)
    throw new Error('bundling utils/phones/scan.ts produced no code')
  return chunk.code
}

export async function benchPhoneScan({ quick }: { quick: boolean }): Promise<void> {
  const rows = 10_000
  const runs = quick ? 3 : 10
  const text = tableText(rows)

  // Node: the default (every number on the page) and the first 200 distinct numbers.
  for (const [mode, maxResults] of MODES) {
    const timing = time(runs, () => scanPhoneNumbers(text, 'RO', { maxResults }).length, text.length)
    emit({
      bench: 'phone_scan',
      runtime: 'node',
      rows,
      mode,
      ...timing,
      target_ms: 100,
      ok: timing.ms_p50 < 100,
    })
  }

  // Bundle impact of scan.ts + libphonenumber-js/min.
  const minified = await bundleScan(true)
  emit({
    bench: 'phone_scan_bundle',
    metadata: 'min',
    raw_kb: Math.round(minified.length / 102.4) / 10,
    gzip_kb: Math.round(gzipSync(minified).length / 102.4) / 10,
  })

  // Headless Chromium, in an extension page (the popup's context).
  await buildExtension()
  const browser = await launchChromium()
  try {
    const page = await browser.openPage('options.html')
    await page.evaluate((source) => {
      // eslint-disable-next-line no-eval
      (0, eval)(source)
    }, minified)
    for (const [mode, maxResults] of MODES) {
      const timing = await page.evaluate(({ text, runs, maxResults }) => {
        const scan = (globalThis as any).__waPhoneScan.scanPhoneNumbers as typeof scanPhoneNumbers
        const times: number[] = []
        let found = scan(text, 'RO', { maxResults }).length
        for (let i = 0; i < runs; i++) {
          const started = performance.now()
          found = scan(text, 'RO', { maxResults }).length
          times.push(performance.now() - started)
        }
        times.sort((a, b) => a - b)
        return {
          ms_p50: Math.round(times[Math.floor(times.length / 2)]! * 10) / 10,
          ms_max: Math.round(times.at(-1)! * 10) / 10,
          found,
          chars: text.length,
        }
      }, { text, runs, maxResults })
      emit({
        bench: 'phone_scan',
        runtime: 'chromium_extension_page',
        rows,
        mode,
        ...timing,
        target_ms: 100,
        ok: timing.ms_p50 < 100,
      })
    }
  }
  finally {
    await browser.close()
  }
}
