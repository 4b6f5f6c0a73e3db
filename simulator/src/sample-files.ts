// Small but well-formed files for inbound media when a test or script gives no bytes: a flat-colour
// JPEG, PNG and lossless WebP, an Ogg Opus stream with headers only, an MP4 with just its boxes, a
// one-page PDF and a text file. Generated here so the repository carries no binary fixtures.

import { Buffer } from 'node:buffer'
import { crc32, deflateSync } from 'node:zlib'

type Rgb = readonly [number, number, number]

const WHATSAPP_GREEN: Rgb = [0x25, 0xD3, 0x66]

export function sampleFile(mimeType: string, label = 'WA Inbox'): Uint8Array {
  const base = mimeType.split(';')[0]!.trim().toLowerCase()
  switch (base) {
    case 'image/jpeg': return flatJpeg(16, 16, WHATSAPP_GREEN)
    case 'image/png': return flatPng(16, 16, WHATSAPP_GREEN)
    case 'image/webp': return flatWebp(64, 64, WHATSAPP_GREEN)
    case 'audio/ogg': return opusHeadersOnly()
    case 'video/mp4':
    case 'video/3gpp':
    case 'audio/mp4': return minimalMp4(base === 'video/3gpp'
      ? '3gp4'
      : 'isom')
    case 'application/pdf': return onePagePdf(label)
    default: return new TextEncoder().encode(`${label}\n`)
  }
}

/** Baseline JPEG, 4:4:4, every 8×8 block a flat colour: only DC coefficients, then end-of-block. */
function flatJpeg(width: number, height: number, [r, g, b]: Rgb): Uint8Array {
  const y = 0.299 * r + 0.587 * g + 0.114 * b
  const cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
  const cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
  // With a quantizer of 1 the DC coefficient of a flat block is 8 × (value − 128).
  const dc = [y, cb, cr].map(value => Math.round(8 * (value - 128)))

  const bits: number[] = []
  const put = (value: number, length: number) => {
    for (let i = length - 1; i >= 0; i--)
      bits.push((value >> i) & 1)
  }
  const blocks = Math.ceil(width / 8) * Math.ceil(height / 8)
  for (let block = 0; block < blocks; block++) {
    for (let component = 0; component < 3; component++) {
      const diff = block === 0
        ? dc[component]!
        : 0
      const magnitude = Math.abs(diff)
      const category = magnitude === 0
        ? 0
        : Math.floor(Math.log2(magnitude)) + 1
      put(category, 4) // DC table: categories 0..11 all have 4-bit codes equal to the category
      if (category > 0) {
        put(diff > 0
          ? diff
          : diff + (1 << category) - 1, category)
      }
      put(0, 1) // AC table: the single code '0' is end-of-block
    }
  }
  while (bits.length % 8 !== 0)
    bits.push(1)
  const scan: number[] = []
  for (let i = 0; i < bits.length; i += 8) {
    const byte = Number.parseInt(bits.slice(i, i + 8).join(''), 2)
    scan.push(byte)
    if (byte === 0xFF)
      scan.push(0x00)
  }

  const segment = (marker: number, payload: Buffer) => {
    const head = Buffer.from([0xFF, marker, 0, 0])
    head.writeUInt16BE(payload.length + 2, 2)
    return Buffer.concat([head, payload])
  }
  const size = Buffer.alloc(4)
  size.writeUInt16BE(height, 0)
  size.writeUInt16BE(width, 2)
  return new Uint8Array(Buffer.concat([
    Buffer.from('ffd8', 'hex'), // start of image
    segment(0xE0, Buffer.from('4a46494600010100000100010000', 'hex')), // JFIF 1.1, no thumbnail
    segment(0xDB, Buffer.concat([
      Buffer.from([0x00]),
      Buffer.alloc(64, 1),
    ])), // quantizers all 1
    // Baseline frame: 8-bit, three components (Y, Cb, Cr) without subsampling, quantizer table 0.
    segment(0xC0, Buffer.concat([
      Buffer.from([8]),
      size,
      Buffer.from('03011100021100031100', 'hex'),
    ])),
    // DC table 0: twelve 4-bit codes for categories 0..11; AC table 0: one 1-bit code, end-of-block.
    segment(0xC4, huffmanTable(0x00, 4, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])),
    segment(0xC4, huffmanTable(0x10, 1, [0x00])),
    segment(0xDA, Buffer.from('03010002000300003f00', 'hex')), // scan: all components, tables 0/0
    Buffer.from(scan),
    Buffer.from('ffd9', 'hex'), // end of image
  ]))
}

/** A DHT payload whose symbols all have codes of one length (canonical codes 0, 1, 2 …). */
function huffmanTable(classAndId: number, codeLength: number, symbols: number[]): Buffer {
  const counts = Buffer.alloc(16)
  counts[codeLength - 1] = symbols.length
  return Buffer.concat([
    Buffer.from([classAndId]),
    counts,
    Buffer.from(symbols),
  ])
}

function flatPng(width: number, height: number, [r, g, b]: Rgb): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8)
    head.writeUInt32BE(data.length, 0)
    head.write(type, 4, 'latin1')
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(Buffer.concat([
      head.subarray(4),
      data,
    ])), 0)
    return Buffer.concat([head, data, crc])
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 2, 0, 0, 0], 8)
  const row = Buffer.from([
    0,
    ...Array.from({ length: width }, () => [r, g, b]).flat(),
  ])
  const raw = Buffer.concat(Array.from<Buffer>({ length: height }).fill(row))
  return new Uint8Array(Buffer.concat([
    Buffer.from([
      0x89,
      0x50,
      0x4E,
      0x47,
      0x0D,
      0x0A,
      0x1A,
      0x0A,
    ]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]))
}

/** Lossless WebP whose five prefix codes each hold one symbol, so the pixels take zero bits. */
function flatWebp(width: number, height: number, [r, g, b]: Rgb): Uint8Array {
  const bits: number[] = []
  const put = (value: number, length: number) => {
    for (let i = 0; i < length; i++)
      bits.push((value >> i) & 1) // VP8L packs least significant bit first
  }
  put(0x2F, 8)
  put(width - 1, 14)
  put(height - 1, 14)
  put(0, 1) // alpha not used
  put(0, 3) // version
  put(0, 1) // no transform
  put(0, 1) // no colour cache
  put(0, 1) // no meta prefix codes
  for (const symbol of [g, r, b, 255, 0]) {
    put(1, 1) // simple code
    put(0, 1) // one symbol
    if (symbol < 2) {
      put(0, 1)
      put(symbol, 1)
    }
    else {
      put(1, 1)
      put(symbol, 8)
    }
  }
  while (bits.length % 8 !== 0)
    bits.push(0)
  const data: number[] = []
  for (let i = 0; i < bits.length; i += 8)
    data.push(bits.slice(i, i + 8).reduce((byte, bit, index) => byte | (bit << index), 0))
  if (data.length % 2 === 1)
    data.push(0)
  const vp8l = Buffer.concat([
    Buffer.from('VP8L', 'latin1'),
    u32le(bits.length / 8),
    Buffer.from(data),
  ])
  return new Uint8Array(Buffer.concat([
    Buffer.from('RIFF', 'latin1'),
    u32le(4 + vp8l.length),
    Buffer.from('WEBP', 'latin1'),
    vp8l,
  ]))
}

function u32le(value: number) {
  const out = Buffer.alloc(4)
  out.writeUInt32LE(value, 0)
  return out
}

/** Ogg CRC-32: polynomial 0x04C11DB7, not reflected, initial value 0. */
function oggCrc(data: Buffer): number {
  let crc = 0
  for (const byte of data) {
    crc ^= byte << 24
    for (let i = 0; i < 8; i++) {
      crc = (crc & 0x80000000)
        ? ((crc << 1) ^ 0x04C11DB7)
        : (crc << 1)
    }
    crc >>>= 0
  }
  return crc >>> 0
}

function oggPage(packet: Buffer, sequence: number, headerType: number): Buffer {
  const header = Buffer.alloc(27)
  header.write('OggS', 0, 'latin1')
  header[5] = headerType
  header.writeUInt32LE(0x5741_4942, 14) // stream serial number
  header.writeUInt32LE(sequence, 18)
  const lacing: number[] = []
  let left = packet.length
  while (left >= 255) {
    lacing.push(255)
    left -= 255
  }
  lacing.push(left)
  header[26] = lacing.length
  const page = Buffer.concat([
    header,
    Buffer.from(lacing),
    packet,
  ])
  page.writeUInt32LE(oggCrc(page), 22)
  return page
}

function opusHeadersOnly(): Uint8Array {
  const head = Buffer.alloc(19)
  head.write('OpusHead', 0, 'latin1')
  head[8] = 1 // version
  head[9] = 1 // mono
  head.writeUInt16LE(312, 10) // pre-skip
  head.writeUInt32LE(48_000, 12)
  const vendor = Buffer.from('wa-inbox-simulator', 'latin1')
  const tags = Buffer.concat([
    Buffer.from('OpusTags', 'latin1'),
    u32le(vendor.length),
    vendor,
    u32le(0),
  ])
  return new Uint8Array(Buffer.concat([
    oggPage(head, 0, 0x02),
    oggPage(tags, 1, 0x04),
  ]))
}

function minimalMp4(brand: string): Uint8Array {
  const box = (type: string, payload: Buffer) => Buffer.concat([
    u32be(8 + payload.length),
    Buffer.from(type, 'latin1'),
    payload,
  ])
  const ftyp = box('ftyp', Buffer.concat([
    Buffer.from(brand, 'latin1'),
    u32be(0x200),
    Buffer.from(`${brand}mp41`, 'latin1'),
  ]))
  const mvhd = Buffer.alloc(100)
  mvhd.writeUInt32BE(1000, 12) // timescale
  mvhd.writeUInt32BE(0x00010000, 20) // rate 1.0
  mvhd.writeUInt16BE(0x0100, 24) // volume 1.0
  for (const [offset, value] of [
    [36, 0x00010000],
    [52, 0x00010000],
    [68, 0x40000000],
  ] as const)
    mvhd.writeUInt32BE(value, offset) // identity matrix
  mvhd.writeUInt32BE(1, 96) // next track id
  return new Uint8Array(Buffer.concat([
    ftyp,
    box('moov', box('mvhd', mvhd)),
  ]))
}

function u32be(value: number) {
  const out = Buffer.alloc(4)
  out.writeUInt32BE(value, 0)
  return out
}

function onePagePdf(label: string): Uint8Array {
  const text = label.replace(/[^\x20-\x7E]/g, '?').replace(/[()\\]/g, '\\$&')
  const stream = `BT /F1 18 Tf 40 100 Td (${text}) Tj ET`
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ]
  let out = '%PDF-1.4\n'
  const offsets: number[] = []
  objects.forEach((object, index) => {
    offsets.push(out.length)
    out += `${index + 1} 0 obj\n${object}\nendobj\n`
  })
  const xref = out.length
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`
  for (const offset of offsets)
    out += `${String(offset).padStart(10, '0')} 00000 n \n`
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return new TextEncoder().encode(out)
}
