import type { Message } from '~/utils/db'

/** Is the message on the server (it has a server id, or a wamid), so its media can be fetched? */
export function isOnServer(message: Pick<Message, 'id' | 'clientId' | 'wamid'>): boolean {
  return message.id !== message.clientId || message.wamid !== null
}
