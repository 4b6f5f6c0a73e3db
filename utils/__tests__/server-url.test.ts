import { describe, expect, it } from 'vitest'
import { normalizeServerUrl, serverApiUrl } from '../server-url'

describe('normalizeServerUrl', () => {
  it.each([
    ['http://127.0.0.1:8787', 'http://127.0.0.1:8787'],
    ['  http://127.0.0.1:8787/  ', 'http://127.0.0.1:8787'],
    ['https://inbox.example.com', 'https://inbox.example.com'],
    ['HTTPS://Inbox.Example.com/', 'https://inbox.example.com'],
    ['https://example.com/inbox/', 'https://example.com/inbox'],
    ['https://example.com:443/inbox?x=1#y', 'https://example.com/inbox'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeServerUrl(input)).toBe(expected)
  })

  it.each([
    '',
    '127.0.0.1:8787',
    'localhost',
    'ftp://example.com',
    'javascript:alert(1)',
    'https://user:secret@example.com',
  ])('refuses %j', (input) => {
    expect(normalizeServerUrl(input)).toBeNull()
  })
})

describe('serverApiUrl', () => {
  it('joins a base URL and an API path', () => {
    expect(serverApiUrl('http://127.0.0.1:8787', '/api/health')).toBe('http://127.0.0.1:8787/api/health')
    expect(serverApiUrl('https://example.com/inbox/', '/api/health')).toBe('https://example.com/inbox/api/health')
  })
})
