// The simulator clock and the one scheduler every delayed action goes through (status webhooks, batch
// windows, webhook retries). The clock runs with real time from `startTime` (unless frozen) plus
// whatever `advance()` added; a task is due when the clock reaches its time, so `advance()` both moves
// the window rules forward and fires what became due. `runAll()` fires everything pending regardless
// of time, which is what `flush()` builds on. Tasks sit in a binary heap ordered by (due, id) so a
// benchmark with tens of thousands of pending statuses stays cheap; cancelled tasks are skipped lazily.

import type { SimClock } from './types.ts'

export interface ScheduledTask {
  id: number
  due: number
  label: string
  run: () => void
}

export interface Scheduler {
  clock: SimClock
  /** Runs `run` when the clock reaches `due` (epoch ms); returns the task id. */
  at: (due: number, label: string, run: () => void) => number
  cancel: (id: number) => void
  /** Fires the tasks pending now, in due order, regardless of their time (tasks they add wait). */
  runAll: () => number
  pendingCount: () => number
  /** Called after tasks ran, so owners can re-check idleness. */
  onChange: (listener: () => void) => void
  stop: () => void
}

const before = (a: ScheduledTask, b: ScheduledTask) => a.due < b.due || (a.due === b.due && a.id < b.id)

function heapPush(heap: ScheduledTask[], task: ScheduledTask) {
  heap.push(task)
  let index = heap.length - 1
  while (index > 0) {
    const parent = (index - 1) >> 1
    if (!before(heap[index]!, heap[parent]!))
      break;
    [heap[index], heap[parent]] = [heap[parent]!, heap[index]!]
    index = parent
  }
}

function heapPop(heap: ScheduledTask[]): ScheduledTask | undefined {
  const top = heap[0]
  const last = heap.pop()
  if (heap.length > 0 && last) {
    heap[0] = last
    let index = 0
    for (;;) {
      const left = index * 2 + 1
      const right = left + 1
      let smallest = index
      if (left < heap.length && before(heap[left]!, heap[smallest]!))
        smallest = left
      if (right < heap.length && before(heap[right]!, heap[smallest]!))
        smallest = right
      if (smallest === index)
        break;
      [heap[index], heap[smallest]] = [heap[smallest]!, heap[index]!]
      index = smallest
    }
  }
  return top
}

export function createScheduler(options: { startTime: number, frozen: boolean }): Scheduler {
  const realStart = performance.now()
  let offset = 0
  let sequence = 0
  let timer: NodeJS.Timeout | undefined
  let timerDue = Infinity
  let stopped = false
  const heap: ScheduledTask[] = []
  const live = new Map<number, ScheduledTask>()
  const listeners: (() => void)[] = []

  const now = () => Math.floor(options.startTime + offset + (options.frozen
    ? 0
    : performance.now() - realStart))

  /** The earliest live task, dropping cancelled ones from the top of the heap. */
  function peek() {
    while (heap.length > 0 && !live.has(heap[0]!.id))
      heapPop(heap)
    return heap[0]
  }

  function notify() {
    for (const listener of listeners)
      listener()
  }

  function runDue() {
    clearTimer()
    let ran = 0
    // Tasks scheduled while running (e.g. a retry at +0 ms) run in the same pass when due.
    for (let next = peek(); next && next.due <= now(); next = peek()) {
      if (stopped)
        return
      heapPop(heap)
      live.delete(next.id)
      next.run()
      ran++
    }
    arm()
    if (ran > 0)
      notify()
  }

  function clearTimer() {
    if (timer)
      clearTimeout(timer)
    timer = undefined
    timerDue = Infinity
  }

  function arm() {
    const next = peek()
    if (stopped || options.frozen || !next || next.due >= timerDue)
      return
    clearTimer()
    timerDue = next.due
    timer = setTimeout(runDue, Math.max(0, next.due - now()))
  }

  return {
    clock: {
      now,
      advance(ms: number) {
        if (!(ms >= 0))
          throw new RangeError('advance() takes a non-negative number of milliseconds')
        offset += ms
        runDue()
      },
    },
    at(due, label, run) {
      const task = { id: ++sequence, due, label, run }
      heapPush(heap, task)
      live.set(task.id, task)
      if (options.frozen) {
        if (due <= now())
          queueMicrotask(runDue)
      }
      else {
        arm()
      }
      return task.id
    },
    cancel(id) {
      live.delete(id)
    },
    runAll() {
      const batch: ScheduledTask[] = []
      for (let task = peek(); task; task = peek()) {
        heapPop(heap)
        batch.push(task)
      }
      for (const task of batch) {
        // An earlier task of this batch may have cancelled it.
        if (!live.delete(task.id))
          continue
        task.run()
      }
      arm()
      if (batch.length > 0)
        notify()
      return batch.length
    },
    pendingCount: () => live.size,
    onChange(listener) {
      listeners.push(listener)
    },
    stop() {
      stopped = true
      clearTimer()
      heap.length = 0
      live.clear()
    },
  }
}
