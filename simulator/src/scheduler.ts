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

/** The scheduler's clock and queue, shared by the functions below. */
interface SchedulerState {
  startTime: number
  frozen: boolean
  realStart: number
  /** virtual time added by `advance()` */
  offset: number
  sequence: number
  timer: NodeJS.Timeout | undefined
  timerDue: number
  stopped: boolean
  heap: ScheduledTask[]
  /** tasks not yet run or cancelled, by id */
  live: Map<number, ScheduledTask>
  listeners: (() => void)[]
}

export function createScheduler(options: { startTime: number, frozen: boolean }): Scheduler {
  const state: SchedulerState = {
    startTime: options.startTime,
    frozen: options.frozen,
    realStart: performance.now(),
    offset: 0,
    sequence: 0,
    timer: undefined,
    timerDue: Infinity,
    stopped: false,
    heap: [],
    live: new Map(),
    listeners: [],
  }
  const now = () => currentTime(state)
  return {
    clock: {
      now,
      advance(ms: number) {
        if (!(ms >= 0))
          throw new RangeError('advance() takes a non-negative number of milliseconds')
        state.offset += ms
        runDue(state)
      },
    },
    at: (due, label, run) => schedule(state, due, label, run),
    cancel(id) {
      state.live.delete(id)
    },
    runAll: () => runAll(state),
    pendingCount: () => state.live.size,
    onChange(listener) {
      state.listeners.push(listener)
    },
    stop() {
      state.stopped = true
      clearTimer(state)
      state.heap.length = 0
      state.live.clear()
    },
  }
}

function currentTime(state: SchedulerState) {
  return Math.floor(state.startTime + state.offset + (state.frozen
    ? 0
    : performance.now() - state.realStart))
}

function schedule(state: SchedulerState, due: number, label: string, run: () => void) {
  const task = {
    id: ++state.sequence,
    due,
    label,
    run,
  }
  heapPush(state.heap, task)
  state.live.set(task.id, task)
  if (state.frozen) {
    if (due <= currentTime(state))
      queueMicrotask(() => runDue(state))
  }
  else {
    arm(state)
  }
  return task.id
}

/** The earliest live task, dropping cancelled ones from the top of the heap. */
function peek(state: SchedulerState) {
  const { heap, live } = state
  while (heap.length > 0 && !live.has(heap[0]!.id))
    heapPop(heap)
  return heap[0]
}

function notify(state: SchedulerState) {
  for (const listener of state.listeners)
    listener()
}

function runDue(state: SchedulerState) {
  clearTimer(state)
  let ran = 0
  // Tasks scheduled while running (e.g. a retry at +0 ms) run in the same pass when due.
  for (let next = peek(state); next && next.due <= currentTime(state); next = peek(state)) {
    if (state.stopped)
      return
    heapPop(state.heap)
    state.live.delete(next.id)
    next.run()
    ran++
  }
  arm(state)
  if (ran > 0)
    notify(state)
}

/** Every pending task now, whatever its due time, in due order. */
function runAll(state: SchedulerState) {
  const batch: ScheduledTask[] = []
  for (let task = peek(state); task; task = peek(state)) {
    heapPop(state.heap)
    batch.push(task)
  }
  for (const task of batch) {
    // An earlier task of this batch may have cancelled it.
    if (!state.live.delete(task.id))
      continue
    task.run()
  }
  arm(state)
  if (batch.length > 0)
    notify(state)
  return batch.length
}

function clearTimer(state: SchedulerState) {
  if (state.timer)
    clearTimeout(state.timer)
  state.timer = undefined
  state.timerDue = Infinity
}

/** A real timer for the earliest task (none when frozen: time moves only by `advance()`). */
function arm(state: SchedulerState) {
  const next = peek(state)
  if (state.stopped || state.frozen || !next || next.due >= state.timerDue)
    return
  clearTimer(state)
  state.timerDue = next.due
  state.timer = setTimeout(runDue, Math.max(0, next.due - currentTime(state)), state)
}
