import type { Agent } from '~/utils/db'
import { i18n } from '#i18n'

export interface AssigneeOption {
  /** '' = unassigned */
  value: string
  label: string
}

/** Active agents, me first as "Me (name)", then by name; the current assignee even when inactive. */
export function assigneeOptions(agents: readonly Agent[], meId: string | null, currentId: string | null): AssigneeOption[] {
  const options: AssigneeOption[] = [
    {
      value: '',
      label: i18n.t('contact.assignee.unassigned'),
    },
  ]
  const active = agents.filter(agent => agent.active)
  const me = active.find(agent => agent.id === meId)
  if (me) {
    options.push({
      value: me.id,
      label: i18n.t('contact.assignee.me', [me.name]),
    })
  }
  const others = active.filter(agent => agent.id !== meId).sort((a, b) => a.name.localeCompare(b.name))
  options.push(...others.map(agent => ({ value: agent.id, label: agent.name })))
  if (currentId && !options.some(option => option.value === currentId)) {
    const current = agents.find(agent => agent.id === currentId)
    options.push({
      value: currentId,
      label: i18n.t('contact.assignee.inactive', [current?.name ?? currentId]),
    })
  }
  return options
}
