import type { KbDoc } from '../src/bots/retrieval.ts'
import { describe, expect, it } from 'vitest'
import { ANSWERABLE_QUESTIONS, isRightAnswer, KB_ENTRIES, UNANSWERABLE_QUESTIONS } from '../../bench/data/kb.ts'
import { stem, terms } from '../src/bots/retrieval-terms.ts'
import { buildIndex } from '../src/bots/retrieval.ts'

/** The product's default threshold (aiBot.threshold). */
const THRESHOLD = 0.5

function qa(id: string, language: KbDoc['language'], title: string, body: string): KbDoc {
  return {
    id,
    kind: 'qa',
    title,
    body,
    language,
  }
}

const DELIVERY_TERMS = [
  'Comenzile sunt livrate în toată România prin curier. Coletele pleacă din depozitul din Chiajna, de luni până vineri.',
  'Curierul încearcă livrarea de două ori. Dacă nu ești acasă nici la a doua încercare, coletul se întoarce la noi și comanda se anulează.',
  'Pentru livrările în afara Uniunii Europene, taxele vamale sunt plătite de client la primirea coletului.',
]

const ENTRIES: KbDoc[] = [
  qa('ro-delivery-time', 'ro', 'Cât durează livrarea?', 'Livrarea durează 1–3 zile lucrătoare de la expediere.'),
  qa('ro-delivery-cost', 'ro', 'Cât costă transportul?', 'Transportul costă 19,99 lei; peste 250 lei este gratuit.'),
  qa('ro-returns', 'ro', 'Cum returnez un produs?', 'Din contul tău, la „Comenzile mele”, apasă „Returnează”. Curierul ridică produsul de la tine.'),
  qa('ro-hours', 'ro', 'Care este programul showroomului?', 'Luni–vineri 10:00–20:00, sâmbătă 10:00–16:00. Duminica este închis.'),
  qa('en-delivery-time', 'en', 'How long does delivery take?', 'Delivery takes 1–3 working days from dispatch.'),
  qa('en-returns', 'en', 'How do I return a product?', 'Open “My orders” in your account and press “Return”. A courier collects the parcel from you.'),
  qa('en-password', 'en', 'I forgot my password', 'Press “Forgot your password?” on the sign-in page and we email you a reset link.'),
  qa('en-gift-card', 'en', 'Do you sell gift cards?', 'Yes, gift cards from 50 to 500 lei, valid for 12 months.'),
  qa('any-contact', 'any', 'Telefon / Phone', 'Ne găsești la / Call us on 0371 000 111.'),
  {
    id: 'doc-delivery',
    kind: 'document',
    title: 'Termeni de livrare',
    body: DELIVERY_TERMS.join('\n\n'),
    language: 'ro',
  },
]

describe('knowledge-base retrieval: the entry that answers, in Romanian and English', () => {
  const index = buildIndex(ENTRIES)

  it.each([
    // [customer message, customer language (null: unknown), expected first entry]
    ['Cât durează livrarea?', 'ro', 'ro-delivery-time'],
    ['cat dureaza livrarea', 'ro', 'ro-delivery-time'], // no diacritics
    ['CÂT DUREAZĂ LIVRAREA???', null, 'ro-delivery-time'], // case, punctuation, language unknown
    ['în câte zile se face livrarea', 'ro', 'ro-delivery-time'],
    ['cat costa transportu?', 'ro', 'ro-delivery-cost'], // chat Romanian drops the article's "l"
    ['livrările durează mult?', 'ro', 'ro-delivery-time'], // stemming: livrările → livrare
    ['vreau sa returnez ceva', 'ro', 'ro-returns'], // returnez → Returnează
    ['pot sa fac retur?', 'ro', 'ro-returns'], // a synonym group: retur = returnare
    ['ce program aveti sambata', 'ro', 'ro-hours'],
    ['how long do deliveries take?', 'en', 'en-delivery-time'], // deliveries → delivery
    ['how long is shipping', 'en', 'en-delivery-time'], // a synonym group: shipping = delivery
    ['how do i send something back?', 'en', 'en-returns'], // a phrase: send back = return
    ['forgot my pasword', 'en', 'en-password'], // a typo
    ['what is your phone number', 'en', 'any-contact'], // an entry for any language
    ['care e numarul de telefon', 'ro', 'any-contact'],
  ] as const)('%j (%s) → %s', (text, language, expected) => {
    const hits = index.search(text, { language })
    expect(hits[0]?.entryId).toBe(expected)
  })

  it('limits the search to the customer\'s language and `any` entries', () => {
    const en = index.search('livrare program telefon', { language: 'en', limit: 10 })
    expect(en.map(h => h.entryId)).toEqual(['any-contact'])
    const ro = index.search('how do i return a product', { language: 'ro', limit: 10 })
    expect(ro.every(h => h.entryId.startsWith('ro-') || h.entryId.startsWith('any-') || h.entryId.startsWith('doc-'))).toBe(true)
    // no language: every entry may answer
    const all = index.search('how do i return a product', { limit: 10 })
    expect(all[0]?.entryId).toBe('en-returns')
  })

  it('answers from a document with the paragraph that matches, one hit per entry', () => {
    const hits = index.search('ce se intampla daca nu sunt acasa cand vine curierul', { language: 'ro', limit: 10 })
    expect(hits[0]?.entryId).toBe('doc-delivery')
    expect(hits[0]?.passage).toBe(DELIVERY_TERMS[1])
    expect(hits[0]?.title).toBe('Termeni de livrare')
    expect(hits.filter(h => h.entryId === 'doc-delivery')).toHaveLength(1)

    const customs = index.search('cine plateste taxele vamale?', { language: 'ro' })
    expect(customs[0]?.passage).toBe(DELIVERY_TERMS[2])
  })

  it('returns a Q&A entry\'s answer as the passage, its question as the title', () => {
    const [hit] = index.search('I forgot my password', { language: 'en' })
    expect(hit).toMatchObject({ entryId: 'en-password', title: 'I forgot my password', passage: ENTRIES[6]!.body })
    expect(hit!.matched).toEqual(['forgot', 'password'])
    expect(hit!.score).toBeGreaterThan(0)
  })

  it.each([
    'hi',
    'ok thanks',
    'Bună ziua! Mulțumesc frumos.',
    '👍',
    '???',
    '',
  ])('%j has no content words: no hit', (text) => {
    expect(index.search(text)).toEqual([])
  })

  it('reports the normalised question words the entry has', () => {
    const [hit] = index.search('Cât COSTĂ transportul în Cluj?', { language: 'ro' })
    expect(hit?.entryId).toBe('ro-delivery-cost')
    expect(hit?.matched).toEqual(['costa', 'transportul'])
  })

  it('gives a confidence in 0–1 that falls as less of the question is covered', () => {
    const full = index.search('cât durează livrarea', { language: 'ro' })[0]!
    const partial = index.search('cât durează livrarea unei canapele extensibile', { language: 'ro' })[0]!
    expect(full.entryId).toBe('ro-delivery-time')
    expect(partial.entryId).toBe('ro-delivery-time')
    expect(full.confidence).toBeGreaterThanOrEqual(THRESHOLD)
    expect(full.confidence).toBeLessThanOrEqual(1)
    expect(partial.confidence).toBeGreaterThan(0)
    expect(partial.confidence).toBeLessThan(full.confidence)
    expect(partial.confidence).toBeLessThan(THRESHOLD)
    for (const hit of index.search('livrare retur program parola', { limit: 10 })) {
      expect(hit.confidence).toBeGreaterThanOrEqual(0)
      expect(hit.confidence).toBeLessThanOrEqual(1)
    }
  })

  it.each([
    ['do you sell laptops?', 'en'], // "sell" is in the KB, "laptops" is not
    ['what\'s the weather like tomorrow?', 'en'],
    ['vindeti si mobila de gradina?', 'ro'],
    ['aveti parcare la showroom?', 'ro'],
  ] as const)('%j cannot be answered: below the threshold', (text, language) => {
    const [hit] = index.search(text, { language })
    expect(hit?.confidence ?? 0).toBeLessThan(THRESHOLD)
  })

  it.each([
    ['cât durează livrarea la Iași?', 'ro', 'ro-delivery-time'], // a place written as a name
    ['how long does delivery take to Brasov?', 'en', 'en-delivery-time'],
    ['cat costa transportul pentru comanda 123456', 'ro', 'ro-delivery-cost'], // an order number
  ] as const)('%j: a name or a number the KB does not have does not lower the confidence', (text, language, expected) => {
    const [hit] = index.search(text, { language })
    expect(hit?.entryId).toBe(expected)
    expect(hit!.confidence).toBeGreaterThanOrEqual(THRESHOLD)
  })

  it('answers from a knowledge base of one entry', () => {
    const one = buildIndex([
      qa('cost', 'ro', 'Cât costă transportul?', 'Transportul costă 15 lei, gratuit peste 200 lei.'),
    ])
    expect(one.search('cat costa transportul?')[0]?.confidence).toBe(1)
    expect(one.search('cat costa o canapea?')[0]?.confidence ?? 0).toBeLessThan(THRESHOLD)
  })

  it('keeps `limit` hits, best first', () => {
    const hits = index.search('livrare', { language: 'ro', limit: 2 })
    expect(hits).toHaveLength(2)
    expect(index.search('livrare', { language: 'ro', limit: 0 })).toEqual([])
  })

  it('handles an empty knowledge base', () => {
    const empty = buildIndex([])
    expect(empty.size).toBe(0)
    expect(empty.search('cat costa livrarea')).toEqual([])
  })
})

describe('documents are split into passages of whole sentences', () => {
  it('cuts a long paragraph between sentences, at most ~600 characters each', () => {
    const names = [
      'Ana',
      'Bogdan',
      'Cristina',
      'Dumitru',
      'Elena',
      'Florin',
      'Gabriela',
      'Horia',
      'Ioana',
      'Laurențiu',
      'Mihai',
      'Nicoleta',
    ]
    const sentences = names.map(name => `Clienta ${name} a aflat că garanția produselor electrocasnice durează exact doi ani de la data livrării.`)
    const index = buildIndex([
      {
        id: 'doc',
        kind: 'document',
        title: 'Garanție',
        body: sentences.join(' '),
        language: 'ro',
      },
    ])
    const passages = new Set(names.map(name => index.search(name, { limit: 1 })[0]!.passage))
    expect(passages.size).toBeGreaterThan(1)
    for (const passage of passages) {
      expect(passage.length).toBeLessThanOrEqual(600)
      expect(passage.endsWith('livrării.')).toBe(true)
    }
    expect([...passages].join(' ')).toBe(sentences.join(' '))
  })

  it('joins a short heading to the paragraph after it', () => {
    const body = 'Retururi\n\nAi 30 de zile să returnezi produsele.\n\nPlăți\n\nAcceptăm card și numerar.'
    const index = buildIndex([
      {
        id: 'doc',
        kind: 'document',
        title: 'Politici',
        body,
        language: 'ro',
      },
    ])
    expect(index.search('plati', { limit: 1 })[0]?.passage).toBe('Plăți Acceptăm card și numerar.')
  })
})

describe('terms: normalised, stop words out, stems that meet', () => {
  it.each([
    [
      [
        'livrare',
        'livrarea',
        'livrari',
        'livrărilor',
      ],
      'ro',
    ],
    [
      ['comanda', 'comandă', 'comandat'],
      'ro',
    ],
    [
      ['carduri', 'cardul', 'card'],
      'ro',
    ],
    [
      [
        'deliver',
        'delivery',
        'deliveries',
        'delivered',
      ],
      'en',
    ],
    [
      ['refund', 'refunds', 'refunded'],
      'en',
    ],
  ] as const)('%j meet', (forms, language) => {
    const stems = new Set(forms.map(w => terms(w, language)[0]!.stems[0]))
    expect(stems.size).toBe(1)
  })

  it('keeps apart what only looks alike: cash on delivery (ramburs) and a refund (rambursare)', () => {
    expect(stem('ramburs', 'ro')).not.toBe(stem('rambursare', 'ro'))
  })

  it('leaves out stop words and greetings in both languages', () => {
    expect(terms('Bună ziua, vreau să știu cât costă livrarea', 'ro').map(t => t.word)).toEqual(['costa', 'livrarea'])
    expect(terms('Hi, how much is the shipping please?', 'en').map(t => t.word)).toEqual(['shipping'])
  })
})

describe('on the labelled question set (bench/data/kb.ts)', () => {
  // A floor, not the figures: `BENCH_ONLY=bots node bench/run.ts` reports them.
  const index = buildIndex(KB_ENTRIES)

  it('finds the right entry first for most answerable questions', () => {
    const right = ANSWERABLE_QUESTIONS.filter((q) => {
      const [hit] = index.search(q.text, { language: q.language })
      return hit !== undefined && isRightAnswer(q, hit.entryId)
    })
    expect(right.length / ANSWERABLE_QUESTIONS.length).toBeGreaterThan(0.7)
  })

  it('is right at least 85% of the time it answers, and refuses most unanswerable questions', () => {
    const answered = ANSWERABLE_QUESTIONS.map(q => ({ q, hit: index.search(q.text, { language: q.language })[0] }))
      .filter(({ hit }) => hit !== undefined && hit.confidence >= THRESHOLD)
    const right = answered.filter(({ q, hit }) => isRightAnswer(q, hit!.entryId))
    expect(right.length / answered.length).toBeGreaterThan(0.85)
    const refused = UNANSWERABLE_QUESTIONS.filter(q => (index.search(q.text, { language: q.language })[0]?.confidence ?? 0) < THRESHOLD)
    expect(refused.length / UNANSWERABLE_QUESTIONS.length).toBeGreaterThan(0.9)
  })
})
