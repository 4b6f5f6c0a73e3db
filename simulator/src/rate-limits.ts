// Token buckets on the simulator clock: throughput per business number (80 messages/s → 130429) and
// the pair limit per recipient (one message per 6 s, bursts of 45 borrowed from the future → 131056).
// A send checks both buckets first and takes its tokens only once it is accepted.

export interface TokenBucket {
  /** Whether a token is available at `now`. */
  has: (now: number) => boolean
  /** Takes a token at `now` (call after `has`). */
  take: (now: number) => void
}

export function createTokenBucket(capacity: number, refillEveryMs: number): TokenBucket {
  let tokens = capacity
  let updatedAt: number | undefined
  const refill = (now: number) => {
    if (updatedAt !== undefined && now > updatedAt)
      tokens = Math.min(capacity, tokens + (now - updatedAt) / refillEveryMs)
    updatedAt = Math.max(updatedAt ?? now, now)
  }
  return {
    has(now) {
      refill(now)
      return tokens >= 1
    },
    take(now) {
      refill(now)
      tokens -= 1
    },
  }
}

export function createKeyedBuckets(capacity: number, refillEveryMs: number) {
  const buckets = new Map<string, TokenBucket>()
  return (key: string) => {
    let bucket = buckets.get(key)
    if (!bucket) {
      bucket = createTokenBucket(capacity, refillEveryMs)
      buckets.set(key, bucket)
    }
    return bucket
  }
}
