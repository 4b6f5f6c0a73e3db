import { v7 } from 'uuid'

/** Time-ordered ids (UUIDv7): index-friendly, sortable by creation, reveal no counts. */
export function newId(): string {
  return v7()
}
