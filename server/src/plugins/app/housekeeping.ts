/**
 * Background timers: snoozed conversations reopen, the change log and decided bot jobs are pruned,
 * report facts follow the history, and (when configured) templates sync once at start. Every timer
 * is unref'd and stopped on close, before the services they use.
 */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { pruneBotJobs } from '../../bots/runner.ts'
import { refreshAllFacts } from '../../reports/facts-refresh.ts'
import { pruneChanges } from '../../services/changes.ts'
import { reopenDueSnoozes } from '../../services/conversations.ts'
import { syncAllTemplates } from '../../services/templates.ts'

const DAY_MS = 24 * 60 * 60 * 1000

function every(ms: number, tick: () => void): NodeJS.Timeout {
  const timer = setInterval(tick, ms)
  timer.unref()
  return timer
}

/** Snoozed conversations whose time has come reopen (and every agent hears it). */
function reopenSnoozes(app: FastifyInstance) {
  return every(app.config.snoozeSweepMs, () => {
    reopenDueSnoozes(app.db, Date.now()).then(app.publish, err => app.log.warn({ err }, 'reopening snoozed conversations failed'))
  })
}

/** The change log keeps `changesRetentionDays`; older cursors get cursor_expired and resnapshot. */
function prune(app: FastifyInstance) {
  return every(10 * 60 * 1000, () => {
    pruneChanges(app.db, Date.now() - app.config.changesRetentionDays * DAY_MS).catch(err => app.log.warn({ err }, 'pruning the change log failed'))
    pruneBotJobs(app.db, Date.now() - 7 * DAY_MS).catch(err => app.log.warn({ err }, 'pruning decided bot jobs failed'))
  })
}

/**
 * Report facts follow the recorded history in the background for workspaces that use reports, so
 * a report rarely has to wait for its refresh (reports/facts-refresh.ts); one at a time.
 * `stop` clears the timer and waits for a refresh under way.
 */
function refreshReports(app: FastifyInstance) {
  let running: Promise<unknown> | null = null
  const timer = every(app.config.reportsRefreshMs, () => {
    if (running)
      return
    running = refreshAllFacts(app.db)
      .catch(err => app.log.warn({ err }, 'refreshing report facts failed'))
      .finally(() => {
        running = null
      })
  })
  return async () => {
    clearInterval(timer)
    await running
  }
}

/** Non-blocking: the inbox works without templates; sending one reports template_not_found. */
function syncTemplatesOnStart(app: FastifyInstance) {
  if (!app.config.syncTemplatesOnStart || !app.bootstrapped.channelId)
    return
  syncAllTemplates(app.db, app.graph, app.publish).then(
    n => app.log.info({ templates: n }, 'templates synced'),
    err => app.log.warn({ err: err.message }, 'template sync failed'),
  )
}

export default fp(async (app) => {
  const snoozeTimer = reopenSnoozes(app)
  const pruneTimer = prune(app)
  const stopReports = refreshReports(app)
  app.addHook('onReady', async () => {
    syncTemplatesOnStart(app)
  })
  app.addHook('onClose', async () => {
    clearInterval(snoozeTimer)
    clearInterval(pruneTimer)
    await stopReports()
  })
}, {
  name: 'housekeeping',
  dependencies: ['storage', 'whatsapp', 'live', 'bots'],
})
