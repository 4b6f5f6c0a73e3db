/** A token bucket: `capacity` tokens, refilled at `ratePerSecond`. */
export class TokenBucket {
  private tokens: number
  private updatedAt: number
  private readonly capacity: number
  private readonly ratePerSecond: number

  constructor(capacity: number, ratePerSecond: number, now = Date.now()) {
    this.capacity = Math.max(1, capacity)
    this.ratePerSecond = Math.max(ratePerSecond, 1e-6)
    this.tokens = this.capacity
    this.updatedAt = now
  }

  /** True when the bucket has refilled completely: it then holds no state worth keeping. */
  isFull(now = Date.now()): boolean {
    return this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSecond >= this.capacity
  }

  /** Takes a token if one is available and returns 0; otherwise takes nothing and returns the ms to wait. */
  take(now = Date.now()): number {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSecond)
    this.updatedAt = now
    if (this.tokens >= 1) {
      this.tokens -= 1
      return 0
    }
    return Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000)
  }
}
