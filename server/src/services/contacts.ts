import type { MutationHandlers } from './mutations.ts'

export const contactMutations: MutationHandlers = {}
