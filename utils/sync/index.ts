export { enqueue } from '../db/outbox'
export { applySyncPage } from './apply'
export { createSyncEngine, liveUrl } from './engine'
export type { LiveSocket, LiveSocketConstructor, SyncEngine, SyncEngineOptions, Timers } from './engine'
