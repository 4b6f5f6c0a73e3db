/**
 * Aggregation buffers: counts per (group, metric) in flat arrays and durations as parallel rows,
 * distributed per group at the end by counting sorts (no object per measurement).
 */
import type { ReportMetrics } from '../../../protocol/reports.ts'
import { COUNT_METRICS, DURATION_METRICS, Metric } from './metrics.ts'
import { stats } from './stats.ts'

/** A group's counts and its durations (unordered) per duration metric. */
export class Acc {
  counts: number[] = Array.from<number>({ length: COUNT_METRICS }).fill(0)
  durations: Float64Array[] = Array.from({ length: DURATION_METRICS }, () => new Float64Array(0))

  metrics(): ReportMetrics {
    const c = this.counts
    return {
      opened: c[Metric.opened]!,
      assigned: c[Metric.assigned]!,
      closed: c[Metric.closed]!,
      messagesIn: c[Metric.messagesIn]!,
      messagesOut: c[Metric.messagesOut]!,
      botMessages: c[Metric.botMessages]!,
      failed: c[Metric.failed]!,
      botHandled: c[Metric.botHandled]!,
      humanHandled: c[Metric.humanHandled]!,
      firstResponse: stats(this.durations[Metric.firstResponse - COUNT_METRICS]!),
      reply: stats(this.durations[Metric.reply - COUNT_METRICS]!),
      resolution: stats(this.durations[Metric.resolution - COUNT_METRICS]!),
      unassignedWait: stats(this.durations[Metric.unassignedWait - COUNT_METRICS]!),
    }
  }
}

/** Counts per (group, metric), groups by dense index (-1: none), growing as needed. */
export class Counts {
  data = new Float64Array(64 * COUNT_METRICS)
  max = -1

  add(idx: number, metric: number) {
    const i = (idx + 1) * COUNT_METRICS + metric
    if (i >= this.data.length) {
      const next = new Float64Array(Math.max(this.data.length * 2, i + COUNT_METRICS * 16))
      next.set(this.data)
      this.data = next
    }
    this.data[i]!++
    if (idx > this.max)
      this.max = idx
  }
}

/** Durations as rows; distributed per (group, metric) at the end with counting sorts. */
export class Durations {
  n = 0
  metric = new Uint8Array(1024)
  value = new Float64Array(1024)
  key: Int32Array[]

  constructor(keys: number) {
    this.key = Array.from({ length: keys }, () => new Int32Array(1024))
  }

  /** appends a row; set its keys with `key[k][row]` */
  add(metric: number, value: number): number {
    if (this.n === this.value.length) {
      const size = this.n * 2
      const metricNext = new Uint8Array(size)
      metricNext.set(this.metric)
      this.metric = metricNext
      const valueNext = new Float64Array(size)
      valueNext.set(this.value)
      this.value = valueNext
      this.key = this.key.map((k) => {
        const next = new Int32Array(size)
        next.set(k)
        return next
      })
    }
    this.metric[this.n] = metric
    this.value[this.n] = value
    return this.n++
  }

  /**
   * per group key (-1: none; rows with key -2 are left out) the durations of each duration
   * metric, unordered (`stats` and `percentile` select in place)
   */
  grouped(k: number): Map<number, Float64Array[]> {
    const keys = this.key[k]!
    const { n, metric, value } = this
    let groups = 0
    for (let i = 0; i < n; i++) {
      if (keys[i]! + 1 > groups)
        groups = keys[i]! + 1
    }
    groups++
    const slots = new Int32Array(n)
    const start = new Int32Array(groups * DURATION_METRICS + 1)
    for (let i = 0; i < n; i++) {
      const key = keys[i]!
      const slot = key < -1
        ? -1
        : (key + 1) * DURATION_METRICS + metric[i]! - COUNT_METRICS
      slots[i] = slot
      if (slot >= 0)
        start[slot + 1]!++
    }
    for (let s = 1; s < start.length; s++)
      start[s]! += start[s - 1]!
    const fill = start.slice()
    const all = new Float64Array(start[start.length - 1]!)
    for (let i = 0; i < n; i++) {
      const slot = slots[i]!
      if (slot >= 0)
        all[fill[slot]!++] = value[i]!
    }
    const out = new Map<number, Float64Array[]>()
    for (let g = 0; g < groups; g++) {
      const list: Float64Array[] = []
      let any = false
      for (let m = 0; m < DURATION_METRICS; m++) {
        const s = g * DURATION_METRICS + m
        const sub = all.subarray(start[s]!, start[s + 1]!)
        if (sub.length)
          any = true
        list.push(sub)
      }
      if (any)
        out.set(g - 1, list)
    }
    return out
  }
}
