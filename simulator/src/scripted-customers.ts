// Scripted customers for the `npm start` demo: a handful of Romanian and English speakers who write
// in over time (text, a photo with a caption, a location, a voice note, a document), read what the
// business sends them and answer it (a quoted follow-up, a reaction, thanks, a button tap). Each
// customer answers at most a couple of business messages per scripted step, so an auto-replying bot
// on the server cannot start an endless ping-pong.

import type { RecordedSend, Simulator } from './index.ts'
import type { CustomerRef, InboundMessageInput } from './types.ts'
import { mulberry32 } from './random.ts'

export interface ScriptedCustomersOptions {
  /** Time between two scripted messages (default 8000 ms). */
  intervalMs?: number
  log?: (line: string) => void
  /** Delay before a customer answers a business message (default a third of intervalMs). */
  replyDelayMs?: number
  /** Varies the small choices (which follow-up line, which emoji); default: the simulator's seed. */
  seed?: number
  /** When the script has run out: keep sending casual lines (default true). */
  loop?: boolean
}

interface ScriptedCustomer {
  ref: CustomerRef
  lang: 'ro' | 'en'
  script: InboundMessageInput[]
}

const CUSTOMERS: ScriptedCustomer[] = [
  {
    ref: { waId: '40722123456', name: 'Ana Popescu' },
    lang: 'ro',
    script: [
      { type: 'text', body: 'Bună ziua! Cât costă livrarea în Cluj?' },
      { type: 'image', caption: 'Asta e adresa de pe colet 📦' },
      {
        type: 'location',
        latitude: 46.769379,
        longitude: 23.589954,
        name: 'Piața Unirii',
        address: 'Piața Unirii, Cluj-Napoca 400000',
      },
    ],
  },
  {
    ref: { waId: '447700900123', name: 'James Carter' },
    lang: 'en',
    script: [
      { type: 'text', body: 'Hi, where is my order #4821?' },
      { type: 'audio', voice: true },
      { type: 'text', body: 'It was supposed to arrive yesterday 😕' },
    ],
  },
  {
    ref: { waId: '40745987654', name: 'Ioana Dumitrescu' },
    lang: 'ro',
    script: [
      { type: 'text', body: 'Salut! Aveți mărimea 38 la sandalele roșii? 👡' },
      { type: 'image', caption: 'Acestea 👇 le-am văzut pe site' },
    ],
  },
  {
    ref: { waId: '40766111222', name: 'Mihai Ionescu', username: 'mihai.ionescu' },
    lang: 'ro',
    script: [
      { type: 'text', body: 'Vreau să returnez comanda #4790, cum procedez? Produsul a venit zgâriat 😞' },
      { type: 'document', filename: 'Factură 4790.pdf', caption: 'Factura, ca să știți despre ce e vorba' },
    ],
  },
  {
    ref: { waId: '353861234567', name: 'Sarah O\'Neill' },
    lang: 'en',
    script: [
      { type: 'text', body: 'Hello! Do you ship to Ireland? 🇮🇪' },
      { type: 'text', body: 'Also, is there a discount for orders over €100? 🙏' },
    ],
  },
]

const FOLLOW_UPS: Record<'ro' | 'en', string[]> = {
  ro: [
    'Și cât durează până ajunge?',
    'Se poate plăti ramburs?',
    'Pot să ridic personal din magazin?',
    'Aveți și în altă culoare?',
  ],
  en: [
    'And how long does delivery take?',
    'Can I pay on delivery?',
    'Could you send me the tracking link?',
    'Is there a cheaper shipping option?',
  ],
}
const THANKS: Record<'ro' | 'en', string[]> = {
  ro: [
    'Mulțumesc frumos! 🙏',
    'Perfect, mulțumesc!',
    'Super, o zi bună! ☀️',
    'Am înțeles, mersi!',
  ],
  en: [
    'Thanks a lot! 🙏',
    'Great, thank you 😊',
    'Perfect, have a nice day!',
    'Got it, cheers!',
  ],
}
const CASUAL: Record<'ro' | 'en', string[]> = {
  ro: [
    'Bună, mai am o întrebare 😊',
    'Comanda mea a ajuns, mulțumesc! 🎉',
    'Aveți program și duminica?',
    'Se poate schimba adresa de livrare?',
  ],
  en: [
    'Hi again, quick question 😊',
    'My parcel arrived, thanks! 🎉',
    'Are you open on Sundays?',
    'Can I change my delivery address?',
  ],
}
const REACTIONS = ['👍', '❤️', '🙏', '😊']

/** Replies per customer before they wait for their next scripted step. */
const REPLY_BUDGET = 2

interface CustomerState {
  customer: ScriptedCustomer
  /** index of the next scripted message */
  step: number
  repliesLeft: number
  /** business messages answered so far: picks follow-up, reaction + thanks, or thanks */
  answered: number
}

/** Everything the scripted customers share: the simulator, the timing, the random source, the timers. */
interface ScriptState {
  sim: Simulator
  loop: boolean
  intervalMs: number
  replyDelayMs: number
  log: (line: string) => void
  random: () => number
  timers: Set<NodeJS.Timeout>
  /** by wa_id */
  customers: Map<string, CustomerState>
  turn: number
  stopped: boolean
}

export function startScriptedCustomers(sim: Simulator, options: ScriptedCustomersOptions = {}) {
  const intervalMs = options.intervalMs ?? 8000
  const state: ScriptState = {
    sim,
    loop: options.loop !== false,
    intervalMs,
    replyDelayMs: options.replyDelayMs ?? Math.max(100, intervalMs / 3),
    log: options.log ?? (() => {}),
    random: mulberry32(options.seed ?? sim.config.seed ?? 1),
    timers: new Set(),
    customers: new Map(CUSTOMERS.map(customer => [
      customer.ref.waId!,
      {
        customer,
        step: 0,
        repliesLeft: REPLY_BUDGET,
        answered: 0,
      },
    ])),
    turn: 0,
    stopped: false,
  }
  const unsubscribe = sim.onSend(send => onBusinessMessage(state, send))
  later(state, Math.min(intervalMs, 500), () => nextScripted(state))
  state.log(`scripted customers started (${CUSTOMERS.length} customers, one message every ${intervalMs} ms)`)

  return {
    /** The scripted customers' identities, e.g. for a demo page. */
    customers: CUSTOMERS.map(customer => ({ ...customer.ref })),
    stop() {
      state.stopped = true
      unsubscribe()
      for (const timer of state.timers)
        clearTimeout(timer)
      state.timers.clear()
    },
  }
}

function pick<T>(state: ScriptState, items: T[]): T {
  return items[Math.floor(state.random() * items.length)]!
}

function later(state: ScriptState, ms: number, run: () => Promise<void> | void) {
  const timer = setTimeout(() => {
    state.timers.delete(timer)
    if (state.stopped)
      return
    Promise.resolve(run()).catch(error => state.log(`scripted customer error: ${(error as Error).message}`))
  }, ms)
  state.timers.add(timer)
}

// The simulator logs every inbound message itself.
function say(state: ScriptState, customer: ScriptedCustomer, input: InboundMessageInput) {
  return state.sim.receive(customer.ref, input)
}

/** Round-robin over customers with script left; then casual lines if looping. */
function nextScripted(state: ScriptState) {
  if (state.stopped)
    return
  const all = [
    ...state.customers.values(),
  ]
  for (let i = 0; i < all.length; i++) {
    const entry = all[(state.turn + i) % all.length]!
    if (entry.step < entry.customer.script.length) {
      state.turn = (state.turn + i + 1) % all.length
      entry.repliesLeft = REPLY_BUDGET
      const input = entry.customer.script[entry.step++]!
      void say(state, entry.customer, input).catch(error => state.log(`scripted customer error: ${(error as Error).message}`))
      later(state, state.intervalMs, () => nextScripted(state))
      return
    }
  }
  if (!state.loop)
    return
  const entry = all[state.turn % all.length]!
  state.turn++
  entry.repliesLeft = REPLY_BUDGET
  void say(state, entry.customer, {
    type: 'text',
    body: pick(state, CASUAL[entry.customer.lang]),
  }).catch(error => state.log(`scripted customer error: ${(error as Error).message}`))
  later(state, state.intervalMs * 2, () => nextScripted(state))
}

/** A business message to one of ours: read a moment later, then answered (within the reply budget). */
function onBusinessMessage(state: ScriptState, send: RecordedSend) {
  const entry = send.recipient
    ? state.customers.get(send.recipient)
    : undefined
  if (!entry || !send.wamid || send.failureCode !== undefined)
    return
  const body = send.body as Record<string, any>
  const wamid = send.wamid
  const { customer } = entry
  // The customer opens the chat a moment later and reads it.
  later(state, state.replyDelayMs / 2, () => {
    try {
      state.sim.markRead(wamid)
    }
    catch {}
  })
  if (body.type === 'reaction' || entry.repliesLeft <= 0)
    return
  entry.repliesLeft--
  const answerNumber = entry.answered++
  later(state, state.replyDelayMs, async () => {
    if (await tapReply(state, customer, body, wamid))
      return
    await answerInText(state, customer, answerNumber, wamid)
  })
}

/** Taps the first button or list row, or a template's first quick reply; false when there is none. */
async function tapReply(state: ScriptState, customer: ScriptedCustomer, body: Record<string, any>, wamid: string): Promise<boolean> {
  if (body.type === 'interactive' && body.interactive?.type === 'button') {
    const button = body.interactive.action?.buttons?.[0]?.reply
    if (button) {
      await say(state, customer, {
        type: 'button_reply',
        id: button.id,
        title: button.title,
        contextId: wamid,
      })
      return true
    }
  }
  if (body.type === 'interactive' && body.interactive?.type === 'list') {
    const row = body.interactive.action?.sections?.[0]?.rows?.[0]
    if (row) {
      await say(state, customer, {
        type: 'list_reply',
        id: row.id,
        title: row.title,
        description: row.description,
        contextId: wamid,
      })
      return true
    }
  }
  if (body.type === 'template') {
    const template = state.sim.templates.find(t => t.name === body.template?.name && t.language === body.template?.language?.code)
    const quick = template?.components.find(c => c.type === 'BUTTONS')?.buttons?.find(b => b.type === 'QUICK_REPLY')
    if (quick) {
      await say(state, customer, {
        type: 'button',
        payload: quick.text,
        text: quick.text,
        contextId: wamid,
      })
      return true
    }
  }
  return false
}

/** In turn: a follow-up question quoting the message, a reaction and thanks, or just thanks. */
async function answerInText(state: ScriptState, customer: ScriptedCustomer, answerNumber: number, wamid: string) {
  const lang = customer.lang
  if (answerNumber % 3 === 0) {
    await say(state, customer, {
      type: 'text',
      body: pick(state, FOLLOW_UPS[lang]),
      context: { id: wamid },
    })
  }
  else if (answerNumber % 3 === 1) {
    await say(state, customer, {
      type: 'reaction',
      messageId: wamid,
      emoji: pick(state, REACTIONS),
    })
    await say(state, customer, {
      type: 'text',
      body: pick(state, THANKS[lang]),
    })
  }
  else {
    await say(state, customer, {
      type: 'text',
      body: pick(state, THANKS[lang]),
    })
  }
}
