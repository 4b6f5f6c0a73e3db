/**
 * Duration statistics: nearest-rank percentiles (by selection in place, no sort where the result
 * is the same) and means.
 */
import type { DurationStats } from '../../../protocol/reports.ts'

/** Nearest rank: the value at rank ⌈p/100 · n⌉ of the sorted values. */
export function nearestRank(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0)
    return null
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!
}

const NO_STATS: DurationStats = {
  count: 0,
  p50: null,
  p90: null,
  mean: null,
}

/**
 * The value of rank `k` (0-based) among a[lo, hi), found in place (quickselect, three-way
 * partition): afterwards a[k] holds it, everything before it is ≤ and everything after ≥.
 */
function select(a: Float64Array, lo: number, hi: number, k: number): number {
  while (hi - lo > 24) {
    // median of three spread samples as the pivot
    const x = a[lo + ((hi - lo) >>> 2)]!
    const y = a[(lo + hi) >>> 1]!
    const z = a[hi - 1 - ((hi - lo) >>> 2)]!
    const pivot = x < y
      ? (y < z
          ? y
          : (x < z
              ? z
              : x))
      : (x < z
          ? x
          : (y < z
              ? z
              : y))
    let lt = lo
    let i = lo
    let gt = hi
    while (i < gt) {
      const v = a[i]!
      if (v < pivot) {
        a[i] = a[lt]!
        a[lt] = v
        lt++
        i++
      }
      else if (v > pivot) {
        gt--
        a[i] = a[gt]!
        a[gt] = v
      }
      else {
        i++
      }
    }
    if (k < lt)
      hi = lt
    else if (k >= gt)
      lo = gt
    else return pivot
  }
  for (let i = lo + 1; i < hi; i++) {
    const v = a[i]!
    let j = i - 1
    while (j >= lo && a[j]! > v) {
      a[j + 1] = a[j]!
      j--
    }
    a[j + 1] = v
  }
  return a[k]!
}

/** rank (0-based) of the nearest-rank percentile p of n values */
function rankOf(n: number, p: number): number {
  return Math.min(n, Math.max(1, Math.ceil((p / 100) * n))) - 1
}

export const EMPTY = new Float64Array(0)

/** nearest-rank percentile of unordered values (reordered in place) */
export function percentile(values: Float64Array, p: number): number | null {
  return values.length === 0
    ? null
    : select(values, 0, values.length, rankOf(values.length, p))
}

/**
 * count, nearest-rank p50 / p90 and mean of the values (reordered in place), the same as from
 * the sorted list: p50 and p90 by selection; the sum in any order when it is exact (integers,
 * below 2^53), else over the sorted values as before.
 */
export function stats(values: Float64Array): DurationStats {
  const n = values.length
  if (n === 0)
    return NO_STATS
  let sum = 0
  let magnitude = 0
  let integers = true
  for (let i = 0; i < n; i++) {
    const v = values[i]!
    sum += v
    magnitude += Math.abs(v)
    if (!Number.isInteger(v))
      integers = false
  }
  if (!integers || !(magnitude <= Number.MAX_SAFE_INTEGER)) {
    values.sort()
    sum = 0
    for (let i = 0; i < n; i++)
      sum += values[i]!
    return {
      count: n,
      p50: nearestRank(values, 50),
      p90: nearestRank(values, 90),
      mean: Math.round(sum / n),
    }
  }
  const k50 = rankOf(n, 50)
  const k90 = rankOf(n, 90)
  const p50 = select(values, 0, n, k50)
  const p90 = k90 === k50
    ? p50
    : select(values, k50 + 1, n, k90)
  return {
    count: n,
    p50,
    p90,
    mean: Math.round(sum / n),
  }
}
