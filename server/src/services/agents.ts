import type { MutationHandlers } from './mutations.ts'

export const agentMutations: MutationHandlers = {}
