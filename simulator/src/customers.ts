// The customers the simulator knows: identity (wa_id, BSUID, profile name, username) and when each
// last wrote to the business number, which is what the 24-hour customer service window runs on.

import type { CustomerRef } from './types.ts'
import { makeBsuid } from './random.ts'

export const WINDOW_MS = 24 * 60 * 60 * 1000

export interface Customer {
  waId?: string
  userId: string
  name?: string
  username?: string
  /** Epoch ms of the last inbound message that opens the window (its `timestamp`, not arrival). */
  lastInboundAt?: number
}

export interface CustomerRegistry {
  /** Finds or creates the customer for a ref and applies the ref's name/username. */
  resolve: (ref: CustomerRef) => Customer
  byWaId: (waId: string) => Customer | undefined
  byUserId: (userId: string) => Customer | undefined
  /** Moves a customer to a new number; the BSUID changes with it [BSUID]. */
  changeNumber: (customer: Customer, newWaId: string) => void
  windowOpen: (customer: Customer | undefined, now: number) => boolean
  all: () => Customer[]
}

export function normalizePhone(input: string): string {
  return input.replace(/[\s()+\-.]/g, '')
}

export function createCustomerRegistry(seed: number): CustomerRegistry {
  const customers: Customer[] = []
  const byWaId = (waId: string) => customers.find(customer => customer.waId === waId)
  const byUserId = (userId: string) => customers.find(customer => customer.userId === userId)

  return {
    resolve(ref) {
      const waId = ref.waId === undefined
        ? undefined
        : normalizePhone(ref.waId)
      let customer = (waId && byWaId(waId)) || (ref.userId && byUserId(ref.userId)) || undefined
      if (!customer) {
        if (!waId && !ref.userId)
          throw new Error('A customer needs a waId or a userId')
        customer = { waId, userId: ref.userId ?? makeBsuid(seed, waId!) }
        customers.push(customer)
      }
      if (ref.name !== undefined)
        customer.name = ref.name
      if (ref.username !== undefined)
        customer.username = ref.username
      if (waId && !customer.waId)
        customer.waId = waId
      return customer
    },
    byWaId,
    byUserId,
    changeNumber(customer, newWaId) {
      customer.waId = normalizePhone(newWaId)
      customer.userId = makeBsuid(seed, customer.waId)
    },
    windowOpen(customer, now) {
      return customer?.lastInboundAt !== undefined && now - customer.lastInboundAt < WINDOW_MS
    },
    all: () => [...customers],
  }
}

/** The `contacts[]` item Meta puts beside inbound messages (and, since 2026, sent/delivered/read statuses). */
export function contactBlock(customer: Customer): Record<string, unknown> {
  const profile: Record<string, unknown> = { name: customer.name ?? '' }
  if (customer.username)
    profile.username = customer.username
  const contact: Record<string, unknown> = { profile }
  if (customer.waId)
    contact.wa_id = customer.waId
  contact.user_id = customer.userId
  return contact
}
