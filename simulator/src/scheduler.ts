// The simulator clock and the one scheduler every delayed action goes through (status webhooks, batch
// windows, webhook retries). The clock runs with real time from `startTime` (unless frozen) plus
// whatever `advance()` added; a task is due when the clock reaches its time, so `advance()` both moves
// the window rules forward and fires what became due. `runAll()` fires everything pending regardless
// of time, which is what `flush()` builds on.

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

export function createScheduler(options: { startTime: number, frozen: boolean }): Scheduler {
  const realStart = performance.now()
  let offset = 0
  let sequence = 0
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  const tasks: ScheduledTask[] = []
  const listeners: (() => void)[] = []

  const now = () => Math.floor(options.startTime + offset + (options.frozen
    ? 0
    : performance.now() - realStart))

  function sortTasks() {
    tasks.sort((a, b) => a.due - b.due || a.id - b.id)
  }

  function notify() {
    for (const listener of listeners)
      listener()
  }

  function runDue() {
    timer = undefined
    let ran = 0
    // Tasks scheduled while running (e.g. a retry at +0 ms) run in the same pass when due.
    while (tasks.length > 0 && tasks[0]!.due <= now()) {
      if (stopped)
        return
      const task = tasks.shift()!
      task.run()
      ran++
    }
    arm()
    if (ran > 0)
      notify()
  }

  function arm() {
    if (timer) {
      clearTimeout(timer)
      timer = undefined
    }
    if (stopped || tasks.length === 0 || options.frozen)
      return
    const wait = Math.max(0, tasks[0]!.due - now())
    timer = setTimeout(runDue, wait)
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
      const id = ++sequence
      tasks.push({ id, due, label, run })
      sortTasks()
      if (options.frozen) {
        if (due <= now())
          queueMicrotask(runDue)
      }
      else {
        arm()
      }
      return id
    },
    cancel(id) {
      const index = tasks.findIndex(task => task.id === id)
      if (index >= 0)
        tasks.splice(index, 1)
      arm()
    },
    runAll() {
      const batch = tasks.splice(0, tasks.length)
      for (const task of batch)
        task.run()
      arm()
      if (batch.length > 0)
        notify()
      return batch.length
    },
    pendingCount: () => tasks.length,
    onChange(listener) {
      listeners.push(listener)
    },
    stop() {
      stopped = true
      if (timer)
        clearTimeout(timer)
      tasks.length = 0
    },
  }
}
