import type { Agent } from '~/utils/db'

/** The agents `@Name`d in a note's body. */
export function noteMentions(body: string, agents: readonly Agent[]): string[] {
  const text = body.toLocaleLowerCase()
  return agents.filter((agent) => {
    const tag = `@${agent.name.toLocaleLowerCase()}`
    let index = text.indexOf(tag)
    while (index !== -1) {
      const after = text.slice(index + tag.length, index + tag.length + 1)
      if (!after || !/[\p{L}\p{N}]/u.test(after))
        return true
      index = text.indexOf(tag, index + 1)
    }
    return false
  }).map(agent => agent.id)
}
