import type { SendMessage } from '~/protocol/messages'
import { createActions } from '~/utils/actions'
import { ApiError } from '~/utils/api/client'
import { authSessionStorage } from '~/utils/session'

/** Sends through the outbox as the signed-in agent (queued when offline). */
export async function sendThroughOutbox(conversationId: string, message: SendMessage, content: Record<string, unknown> = {}): Promise<void> {
  const session = await authSessionStorage.getValue()
  if (!session || session.expired)
    throw new ApiError('unauthorized', 'not signed in', 401)
  await createActions({ agentId: session.agent.id }).send(conversationId, message, content)
}
