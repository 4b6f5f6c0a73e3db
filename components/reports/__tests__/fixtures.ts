import type { DurationStats, ReportConversationPage, ReportGroupRow, ReportLive, ReportMetrics, ReportSummary } from '~/protocol/reports'
import type { Agent, Channel, Label } from '~/utils/db'
import type { Session } from '~/utils/session'

export { agent, team } from '~/components/chat/__tests__/fixtures'

export const MIN = 60_000

export function stats(p50: number | null, p90: number | null = p50, count = p50 === null
  ? 0
  : 3): DurationStats {
  return { count, p50, p90, mean: p50 }
}

export function metrics(patch: Partial<ReportMetrics> = {}): ReportMetrics {
  return {
    opened: 0,
    assigned: 0,
    closed: 0,
    messagesIn: 0,
    messagesOut: 0,
    botMessages: 0,
    failed: 0,
    botHandled: 0,
    humanHandled: 0,
    firstResponse: stats(null),
    reply: stats(null),
    resolution: stats(null),
    unassignedWait: stats(null),
    ...patch,
  }
}

export function row(id: string | null, name: string | null, patch: Partial<ReportMetrics> = {}): ReportGroupRow {
  return {
    id,
    name,
    metrics: metrics(patch),
  }
}

function emptyHeatmap(): number[][] {
  return Array.from({ length: 7 }, () => Array.from<number>({ length: 24 }).fill(0))
}

/** Three agents, two days, a busy Monday 09:00 and Friday 17:00, two failure reasons. */
export function summaryFixture(): ReportSummary {
  const messagesIn = emptyHeatmap()
  messagesIn[0]![9] = 12
  messagesIn[4]![17] = 5
  const opened = emptyHeatmap()
  opened[0]![9] = 4
  return {
    period: {
      from: Date.UTC(2025, 2, 3),
      to: Date.UTC(2025, 2, 5),
      tz: 'UTC',
      hours: null,
    },
    totals: metrics({
      opened: 9,
      assigned: 8,
      closed: 6,
      messagesIn: 17,
      messagesOut: 20,
      botMessages: 3,
      failed: 4,
      botHandled: 2,
      humanHandled: 7,
      firstResponse: stats(4 * MIN, 30 * MIN, 7),
      resolution: stats(80 * MIN),
    }),
    agents: [
      row('a1', 'Ana Pop', {
        assigned: 3,
        humanHandled: 3,
        closed: 2,
        firstResponse: stats(2 * MIN, 5 * MIN),
      }),
      row('a2', 'Bogdan Rus', {
        assigned: 5,
        humanHandled: 4,
        closed: 4,
        firstResponse: stats(80 * MIN, 2 * 3600_000),
      }),
      row('a3', 'Cora Ilie', { assigned: 0, humanHandled: 0 }),
      row(null, null, { opened: 9, botHandled: 2 }),
    ],
    teams: [
      row('t1', 'Sales', { opened: 6 }),
      row('t2', 'Support', { opened: 3 }),
    ],
    labels: [
      row('l1', 'VIP', { opened: 2 }),
    ],
    channels: [
      row('ch1', '+40 700 000 001', { opened: 9 }),
    ],
    failedByReason: [
      { code: 131047, title: 'Re-engagement message', count: 3 },
      { code: 0, title: 'unknown', count: 1 },
    ],
    trend: [
      {
        day: '2025-03-03',
        opened: 5,
        closed: 2,
        messagesIn: 10,
        messagesOut: 12,
        firstResponseP50: 3 * MIN,
        firstResponseP90: 20 * MIN,
        replyP50: null,
        resolutionP50: null,
      },
      {
        day: '2025-03-04',
        opened: 4,
        closed: 4,
        messagesIn: 7,
        messagesOut: 8,
        firstResponseP50: null,
        firstResponseP90: null,
        replyP50: null,
        resolutionP50: null,
      },
    ],
    heatmap: { messagesIn, opened },
    generatedAt: Date.UTC(2025, 2, 5),
    computeMs: 3,
  }
}

export function emptySummary(): ReportSummary {
  return {
    ...summaryFixture(),
    totals: metrics(),
    agents: [],
    teams: [],
    labels: [],
    channels: [],
    failedByReason: [],
    trend: [],
    heatmap: {
      messagesIn: emptyHeatmap(),
      opened: emptyHeatmap(),
    },
  }
}

export function liveFixture(patch: Partial<ReportLive> = {}): ReportLive {
  return {
    open: 12,
    unassigned: 3,
    waiting: 4,
    waitingLongest: { conversationId: 'k1', since: Date.now() - 42 * MIN },
    agentsOnline: 1,
    agents: [
      {
        agentId: 'a1',
        name: 'Ana Pop',
        availability: 'online',
        open: 5,
      },
      {
        agentId: 'a2',
        name: 'Bogdan Rus',
        availability: 'away',
        open: 2,
      },
    ],
    generatedAt: Date.now(),
    ...patch,
  }
}

export function drillPage(patch: Partial<ReportConversationPage> = {}): ReportConversationPage {
  return {
    items: [
      {
        conversationId: 'k1',
        contactId: 'c1',
        contactName: 'Maria Popescu',
        channelId: 'ch1',
        assigneeId: 'a1',
        teamId: null,
        count: 2,
        value: null,
        at: Date.UTC(2025, 2, 3, 9, 10),
      },
      {
        conversationId: 'k2',
        contactId: 'c2',
        contactName: null,
        channelId: 'ch1',
        assigneeId: null,
        teamId: null,
        count: 1,
        value: null,
        at: Date.UTC(2025, 2, 3, 9, 40),
      },
    ],
    total: 2,
    nextCursor: null,
    ...patch,
  }
}

export function label(id: string, name: string): Label {
  return {
    id,
    name,
    color: 'blue',
    createdAt: 1,
    updatedAt: 1,
  }
}

export function channel(id: string, display: string): Channel {
  return {
    id,
    phoneNumberId: id.replace(/\D/g, '') || '1',
    displayPhoneNumber: display,
    createdAt: 1,
  }
}

export function session(who: Agent): Session {
  return {
    serverUrl: 'https://inbox.example.com',
    token: 'tok',
    agent: who,
    signedInAt: 1,
  }
}
