import { authSessionStorage } from '~/utils/session'

/** The signed-in agent's id (null when signed out or when the server refused the session). */
export async function signedInAgentId(): Promise<string | null> {
  const session = await authSessionStorage.getValue()
  return session && !session.expired
    ? session.agent.id
    : null
}
