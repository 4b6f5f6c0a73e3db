/**
 * Reports (issue 7): summary, drill-down, CSV exports, live overview. Admins see everyone; an
 * agent only themself (reports/context.ts checks it). Definitions: docs/reports.md.
 */
import type { FastifyReply } from 'fastify'
import type { ReportQuery } from '../../../protocol/reports.ts'
import type { Api } from './schemas.ts'
import { ErrorResponseSchema } from '../../../protocol/common.ts'
import { ReportConversationPageSchema, ReportConversationsQuerySchema, ReportCsvQuerySchema, ReportLiveSchema, ReportQuerySchema, ReportSummarySchema } from '../../../protocol/reports.ts'
import { aggregatesCsv, conversationsCsv, reportConversations, reportLive, reportSummary } from '../reports/index.ts'

const errors = {
  400: ErrorResponseSchema,
  401: ErrorResponseSchema,
  403: ErrorResponseSchema,
}

function sendCsv(reply: FastifyReply, name: string, query: ReportQuery, body: string) {
  const day = (t: number) => new Date(t).toISOString().slice(0, 10)
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}-${day(query.from)}-${day(query.to)}.csv"`)
    .header('cache-control', 'no-store')
    .send(body)
}

export async function reportRoutes(app: Api) {
  app.get('/api/reports/summary', {
    schema: {
      querystring: ReportQuerySchema,
      response: { 200: ReportSummarySchema, ...errors },
    },
  }, async request => await reportSummary(app.db, request.agent, request.query))

  app.get('/api/reports/conversations', {
    schema: {
      querystring: ReportConversationsQuerySchema,
      response: { 200: ReportConversationPageSchema, ...errors },
    },
  }, async request => await reportConversations(app.db, request.agent, request.query))

  app.get('/api/reports/conversations.csv', {
    schema: {
      querystring: ReportCsvQuerySchema,
      produces: ['text/csv'],
      response: errors,
    },
  }, async (request, reply) => {
    return sendCsv(reply, 'conversations', request.query, await conversationsCsv(app.db, request.agent, request.query))
  })

  app.get('/api/reports/aggregates.csv', {
    schema: {
      querystring: ReportCsvQuerySchema,
      produces: ['text/csv'],
      response: errors,
    },
  }, async (request, reply) => {
    return sendCsv(reply, 'aggregates', request.query, await aggregatesCsv(app.db, request.agent, request.query))
  })

  app.get('/api/reports/live', {
    schema: {
      response: { 200: ReportLiveSchema, ...errors },
    },
  }, async request => await reportLive(app.db, request.agent))
}
