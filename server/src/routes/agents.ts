import type { FastifyInstance } from 'fastify'

/** Agents, teams, password change and channels (filled in by the agents work). */
export async function agentRoutes(_app: FastifyInstance) {}
