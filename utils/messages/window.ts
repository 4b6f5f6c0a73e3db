/**
 * WhatsApp's 24-hour customer service window (reference §4.1): free-form messages only until
 * `Conversation.windowExpiresAt`; after it (or when the customer never wrote) only approved
 * templates. The server refuses a late free-form message with `window_closed` anyway; this is
 * what the composer and the countdown show.
 */

export interface WindowState {
  /** free-form messages may be sent */
  open: boolean
  /** until the window closes; 0 when closed or never opened */
  remainingMs: number
}

/** The window at `now` (null = the customer never wrote, so it never opened). */
export function windowState(expiresAt: number | null | undefined, now: number): WindowState {
  const remainingMs = expiresAt == null
    ? 0
    : Math.max(0, expiresAt - now)
  return { open: remainingMs > 0, remainingMs }
}

/** Whole hours and minutes left (minutes rounded down, so it never promises time that is not there). */
export function splitRemaining(remainingMs: number): { hours: number, minutes: number } {
  const totalMinutes = Math.floor(Math.max(0, remainingMs) / 60_000)
  return {
    hours: Math.floor(totalMinutes / 60),
    minutes: totalMinutes % 60,
  }
}
