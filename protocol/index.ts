/** The wire contract shared by the extension and the server. Nothing else is shared. */
export * from './common.ts'
export * from './contacts.ts'
export * from './conversations.ts'
export * from './errors.ts'
export * from './media.ts'
export * from './messages.ts'
export * from './sync.ts'
export * from './team.ts'
