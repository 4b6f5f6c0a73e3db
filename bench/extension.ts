/**
 * The extension's own figures, in headless Chromium with the built extension (e2e/harness.ts):
 * side panel open time with 10,000 chats, search-as-you-type latency, rows in the DOM while
 * scrolling, the initial sync's write cost against a raw Dexie bulkPut, and the JS each entry
 * point loads. One JSON line each (`bench: 'extension_*'`).
 */
import type { Page } from 'playwright-core'
import fs from 'node:fs'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { buildExtension, installPageData, launchChromium, seedInbox } from '../e2e/harness.ts'
import { emit, percentile } from './lib.ts'

// Page-side code below runs in the browser; bench/ is type-checked without the DOM lib.

declare const document: any, window: any, location: any, requestAnimationFrame: any, MutationObserver: any, MessageChannel: any

const ROW = '[data-testid="list"] [role="option"]'
const SEARCH = '[data-testid="search"]'

/** Recorded in every page from its first script on: when the marker element first appears. */
function markFirstContent(): void {
  const marker = location.pathname.endsWith('sidepanel.html')
    ? '[data-testid="list"] [role="option"]'
    : '#server-url'
  const state = { found: 0, painted: 0 }
  ;(window as unknown as { __bench: typeof state }).__bench = state
  const check = (observer: { disconnect: () => void }) => {
    if (state.found || !document.querySelector(marker))
      return
    state.found = performance.now()
    observer.disconnect()
    // The next frame's callbacks run before it paints; a task posted from there runs after.
    requestAnimationFrame(() => {
      const channel = new MessageChannel()
      channel.port1.onmessage = () => {
        state.painted = performance.now()
      }
      channel.port2.postMessage(null)
    })
  }
  new MutationObserver((_: unknown, observer: { disconnect: () => void }) => check(observer)).observe(document, { childList: true, subtree: true })
}

function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50)
}

/** Opens `file` in a new tab and answers ms from navigation start to first content painted. */
async function openTime(page: Page, url: string): Promise<{ painted: number, found: number }> {
  await page.goto(url, { waitUntil: 'commit' })
  const handle = await page.waitForFunction(() => {
    const state = (window as unknown as { __bench?: { found: number, painted: number } }).__bench
    return state && state.painted
      ? state
      : null
  }, undefined, { timeout: 20_000, polling: 20 })
  return await handle.jsonValue() as { painted: number, found: number }
}

/** The JS each HTML entry point loads: its module script, modulepreloads, and their static imports. */
function entrySizes(dir: string): Record<string, { files: string[], raw: number, gzip: number }> {
  const result: Record<string, { files: string[], raw: number, gzip: number }> = {}
  const entries = fs.readdirSync(dir).filter(file => file.endsWith('.html'))
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { background?: { service_worker?: string } }
  const roots: Array<[string, string[]]> = entries.map((file) => {
    const html = fs.readFileSync(path.join(dir, file), 'utf8')
    const refs = [
      ...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="([^"]+\.js)"/g),
    ].map(m => m[1]!.replace(/^\//, ''))
    return [
      file.replace(/\.html$/, ''),
      refs,
    ]
  })
  if (manifest.background?.service_worker) {
    roots.push([
      'background',
      [manifest.background.service_worker],
    ])
  }
  for (const [name, refs] of roots) {
    const seen = new Set<string>()
    const visit = (file: string) => {
      if (seen.has(file) || !fs.existsSync(path.join(dir, file)))
        return
      seen.add(file)
      const code = fs.readFileSync(path.join(dir, file), 'utf8')
      for (const m of code.matchAll(/(?:import|from)\s*["']([^"']+\.js)["']/g))
        visit(path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]!)))
    }
    refs.forEach(visit)
    const files = [...seen]
    const all = Buffer.concat(files.map(file => fs.readFileSync(path.join(dir, file))))
    const sizes = files.map(file => fs.statSync(path.join(dir, file)).size)
    result[name] = {
      files,
      raw: sizes.reduce((a, b) => a + b, 0),
      gzip: gzipSync(all, { level: 9 }).length,
    }
  }
  return result
}

export async function benchExtension(options: { quick: boolean }): Promise<void> {
  const conversations = options.quick ? 1000 : 10_000
  const dirs = await buildExtension()
  const started = performance.now()

  // (e) bundle sizes: no browser needed
  const sizes = entrySizes(dirs.chromium)
  for (const [entry, size] of Object.entries(sizes)) {
    emit({
      bench: 'extension_bundle_size',
      entry,
      raw_kb: Math.round(size.raw / 102.4) / 10,
      gzip_kb: Math.round(size.gzip / 102.4) / 10,
      files: size.files.length,
      ...(entry === 'sidepanel'
        ? { target_raw_kb: 250, ok: size.raw < 250 * 1024 }
        : {}),
    })
  }

  const browser = await launchChromium({
    viewport: { width: 420, height: 900 },
  })
  if (browser.raw.kind !== 'chromium')
    throw new Error('unreachable')
  const context = browser.raw.context
  try {
    // Seed 10,000 chats through the extension's own sync code, and a session that owns them.
    const seedPage = await browser.openPage('options.html')
    const seeded = await seedInbox(seedPage, { conversations })
    await seedPage.close()

    await context.addInitScript(markFirstContent)

    // (a) side panel open → first rows painted, against the options page (no data to read)
    const runs = options.quick ? 3 : 7
    const panel: number[] = []
    const blank: number[] = []
    for (let i = 0; i < runs + 1; i++) {
      const page = await context.newPage()
      const p = await openTime(page, `${browser.origin}/sidepanel.html`)
      await page.close()
      const page2 = await context.newPage()
      const o = await openTime(page2, `${browser.origin}/options.html`)
      await page2.close()
      if (i > 0) { // the first run warms the extension process up
        panel.push(p.painted)
        blank.push(o.painted)
      }
    }
    const panelMs = median(panel)
    const blankMs = median(blank)
    emit({
      bench: 'extension_sidepanel_open',
      conversations,
      runs,
      first_rows_painted_ms_p50: panelMs,
      first_rows_painted_ms_max: Math.round(Math.max(...panel) * 10) / 10,
      options_page_painted_ms_p50: blankMs,
      ratio: Math.round((panelMs / blankMs) * 100) / 100,
      target_ms: 300,
      ok: panelMs < 300,
    })

    // (b) search as you type, and (c) rows in the DOM while scrolling: one side panel
    const page = await context.newPage()
    await page.goto(`${browser.origin}/sidepanel.html`)
    await page.waitForSelector(ROW)
    const rowsShown = await page.evaluate(sel => document.querySelectorAll(sel).length, ROW)

    await page.evaluate(() => {
      const state = {
        t0: 0,
        mutated: 0,
        settled: 0,
        samples: [] as Array<{ latency: number, mutated: boolean }>,
      }
      ;(window as unknown as { __search: typeof state }).__search = state
      const main = document.querySelector('main') ?? document.body
      new MutationObserver(() => {
        if (state.t0 && !state.mutated)
          state.mutated = performance.now()
      }).observe(main, {
        childList: true,
        subtree: true,
        characterData: true,
        attributes: true,
        attributeFilter: ['data-id', 'style'],
      })
      document.addEventListener('input', (event: { timeStamp: number }) => {
        state.t0 = event.timeStamp
        state.mutated = 0
        // Runs after this task and its microtasks (Vue's flush): the latest the update can land.
        const channel = new MessageChannel()
        channel.port1.onmessage = () => {
          state.settled = performance.now()
        }
        channel.port2.postMessage(null)
      }, true)
    })
    const queries = [
      'maria',
      'stefan pop',
      'james',
      '0722 0012',
      'ionescu 1',
    ]
    const latencies: number[] = []
    let unchanged = 0
    await page.click(SEARCH)
    for (const query of queries) {
      await page.fill(SEARCH, '')
      await page.waitForTimeout(150)
      for (const char of query) {
        await page.evaluate(() => {
          const s = (window as unknown as { __search: { t0: number, settled: number } }).__search
          s.t0 = 0
          s.settled = 0
        })
        await page.keyboard.type(char)
        const sample = await page.waitForFunction(() => {
          const s = (window as unknown as { __search: { t0: number, mutated: number, settled: number } }).__search
          return s.settled
            ? { latency: (s.mutated || s.settled) - s.t0, mutated: s.mutated > 0 }
            : null
        }, undefined, { polling: 5 }).then(handle => handle.jsonValue())
        latencies.push(sample!.latency)
        if (!sample!.mutated)
          unchanged++
        await page.waitForTimeout(60)
      }
    }
    const sorted = [...latencies].sort((a, b) => a - b)
    emit({
      bench: 'extension_search_keystroke',
      conversations,
      keystrokes: latencies.length,
      keystrokes_without_list_change: unchanged,
      p50_ms: percentile(sorted, 50),
      p95_ms: percentile(sorted, 95),
      max_ms: percentile(sorted, 100),
      target_ms: 20,
      ok: percentile(sorted, 95) < 20,
    })

    // (c) scroll the whole list one viewport a frame; the most rows ever in the DOM
    await page.fill(SEARCH, '')
    await page.waitForFunction(n => document.querySelectorAll('[data-testid="list"] [role="option"]').length > 0 && n > 0, rowsShown)
    const scroll = await page.evaluate(async (sel) => {
      const list = document.querySelector('[data-testid="list"]')
      const frame = () => new Promise<void>(resolve => requestAnimationFrame(() => resolve()))
      let maxRows = 0
      let maxIndex = 0
      let steps = 0
      const frameTimes: number[] = []
      let last = performance.now()
      for (let top = 0; ; top += list.clientHeight) {
        list.scrollTop = top
        await frame()
        const now = performance.now()
        frameTimes.push(now - last)
        last = now
        steps++
        const rows = list.querySelectorAll(sel)
        maxRows = Math.max(maxRows, rows.length)
        for (const row of rows)
          maxIndex = Math.max(maxIndex, Number(row.getAttribute('aria-posinset') ?? 0))
        if (top >= list.scrollHeight - list.clientHeight)
          break
      }
      frameTimes.sort((a, b) => a - b)
      return {
        maxRows,
        maxIndex,
        steps,
        p95Frame: frameTimes[Math.floor(frameTimes.length * 0.95)] ?? 0,
      }
    }, ROW)
    emit({
      bench: 'extension_scroll_rows',
      conversations,
      rows_in_list: conversations,
      max_dom_rows: scroll.maxRows,
      first_paint_dom_rows: rowsShown,
      last_row_reached: scroll.maxIndex === conversations,
      scroll_steps: scroll.steps,
      frame_ms_p95: Math.round(scroll.p95Frame * 10) / 10,
      ok: scroll.maxRows <= 60 && scroll.maxIndex === conversations,
    })
    await page.close()

    // (d) initial sync: applySyncPage over the snapshot pages vs a raw bulkPut of the same rows
    const syncPage = await browser.openPage('options.html')
    await installPageData(syncPage)
    const sync = await syncPage.evaluate(async (o) => {
      const api = (globalThis as any).__waInbox
      return await api.syncBenchmark(o) as { apply: number[], raw: number[], changes: number, pages: number }
    }, {
      conversations,
      pageSize: 1000,
      rounds: options.quick ? 1 : 2,
    })
    await syncPage.close()
    const apply = Math.min(...sync.apply)
    const raw = Math.min(...sync.raw)
    emit({
      bench: 'extension_initial_sync',
      conversations,
      changes: sync.changes,
      pages: sync.pages,
      apply_sync_page_ms: Math.round(apply),
      raw_bulk_put_ms: Math.round(raw),
      changes_per_s: Math.round(sync.changes / (apply / 1000)),
      ratio: Math.round((apply / raw) * 100) / 100,
      target_ratio: 1.3,
      ok: apply / raw <= 1.3,
      seed_ms: Math.round(seeded.ms),
    })
  }
  finally {
    await browser.close()
  }
  emit({ bench: 'extension_group', seconds: Math.round((performance.now() - started) / 100) / 10 })
}
