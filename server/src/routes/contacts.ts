import type { FastifyInstance } from 'fastify'

/** Contacts, labels, notes, notifications and quick replies (filled in by the contacts work). */
export async function contactRoutes(_app: FastifyInstance) {}
