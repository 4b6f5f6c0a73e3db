// Token buckets on the simulator clock: throughput per business number (80 messages/s → 130429) and
// the pair limit per recipient (one message per 6 s, bursts of 45 borrowed from the future → 131056).

export interface TokenBucket {
  /** Takes a token if one is available at `now`; false means the limit is hit. */
  take: (now: number) => boolean
}

export function createTokenBucket(capacity: number, refillEveryMs: number): TokenBucket {
  let tokens = capacity
  let updatedAt: number | undefined
  return {
    take(now) {
      if (updatedAt !== undefined && now > updatedAt)
        tokens = Math.min(capacity, tokens + (now - updatedAt) / refillEveryMs)
      updatedAt = updatedAt === undefined
        ? now
        : Math.max(updatedAt, now)
      if (tokens < 1)
        return false
      tokens -= 1
      return true
    },
  }
}

export function createKeyedBuckets(capacity: number, refillEveryMs: number) {
  const buckets = new Map<string, TokenBucket>()
  return {
    take(key: string, now: number) {
      let bucket = buckets.get(key)
      if (!bucket) {
        bucket = createTokenBucket(capacity, refillEveryMs)
        buckets.set(key, bucket)
      }
      return bucket.take(now)
    },
  }
}
