import { defineConfig, presetIcons, presetWind4 } from 'unocss'
import { FILLED_ICONS, STROKED_ICONS } from './components/common/icons'

// Colour tokens: one CSS variable per role, switched by the system colour scheme. Components
// use the theme colours below (`bg-primary`, `text-fg-muted` …) or the shortcuts, never hex.
const light = {
  'bg-base': '#f5f6f6',
  'bg-card': '#ffffff',
  'border': '#e2e6e9',
  'text-base': '#111b21',
  'text-muted': '#54656f',
  'primary': '#008069',
  'primary-hover': '#006e5a',
  'primary-fg': '#ffffff',
  'primary-soft': '#d9fdd3',
  'success': '#1a9e4b',
  'danger': '#d1344b',
  'warning': '#b7791f',
}
const dark: typeof light = {
  'bg-base': '#0b141a',
  'bg-card': '#111b21',
  'border': '#2a3942',
  'text-base': '#e9edef',
  'text-muted': '#8696a0',
  'primary': '#00a884',
  'primary-hover': '#06cf9c',
  'primary-fg': '#0b141a',
  'primary-soft': '#103529',
  'success': '#25d366',
  'danger': '#f15c6d',
  'warning': '#f0b429',
}

function declarations(tokens: Record<string, string>): string {
  return Object.entries(tokens).map(([name, value]) => `--c-${name}:${value};`).join('')
}

const tokensCss = [
  `:root{color-scheme:light dark;${declarations(light)}}`,
  `@media (prefers-color-scheme: dark){:root{${declarations(dark)}}}`,
  'html,body{background-color:var(--c-bg-base);color:var(--c-text-base);}',
].join('\n')

// The icons (components/common/icons.ts) become CSS masks in the current colour (`i-wa-send`),
// so no icon path ships in JavaScript. CommonIcon names them at run time: all are safelisted.
const svg = (body: string): string => `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">${body}</svg>`
const icons: Record<string, string> = {
  ...Object.fromEntries(Object.entries(FILLED_ICONS).map(([name, d]) => [
    name,
    svg(`<path fill="currentColor" d="${d}"/>`),
  ])),
  ...Object.fromEntries(Object.entries(STROKED_ICONS).map(([name, d]) => [
    name,
    svg(`<path fill="none" stroke="currentColor" stroke-width="2" d="${d}"/>`),
  ])),
}

export default defineConfig({
  presets: [
    // `dark:` follows the system setting, like the tokens above.
    presetWind4({ dark: 'media' }),
    presetIcons({
      collections: { wa: icons },
      mode: 'mask',
      // sized by the caller (size-5 …); 1em until then
      scale: 1,
      extraProperties: { 'display': 'inline-block', 'flex-shrink': '0' },
    }),
  ],
  safelist: Object.keys(icons).map(name => `i-wa-${name}`),
  theme: {
    colors: {
      surface: { DEFAULT: 'var(--c-bg-base)', card: 'var(--c-bg-card)' },
      line: 'var(--c-border)',
      fg: { DEFAULT: 'var(--c-text-base)', muted: 'var(--c-text-muted)' },
      primary: {
        DEFAULT: 'var(--c-primary)',
        hover: 'var(--c-primary-hover)',
        fg: 'var(--c-primary-fg)',
        soft: 'var(--c-primary-soft)',
      },
      success: 'var(--c-success)',
      danger: 'var(--c-danger)',
      warning: 'var(--c-warning)',
    },
  },
  shortcuts: {
    'bg-base': 'bg-surface text-fg',
    'bg-card': 'bg-surface-card',
    'border-base': 'border border-line',
    'text-secondary': 'text-fg-muted',
    'btn-shape': 'inline-flex items-center justify-center gap-2 rounded-lg font-medium transition-colors cursor-pointer disabled:cursor-not-allowed disabled:op-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-primary',
    'btn-base': 'btn-shape px-4 py-2 text-sm',
    'btn-danger': 'btn-base text-white bg-danger hover:op-90',
    // the small text button of notices and inline rows (Retry, Discard, Cancel)
    'btn-xs': 'btn-shape px-1.5 py-0.5 text-xs text-primary hover:bg-primary-soft',
    'btn-solid': 'btn-base bg-primary text-primary-fg hover:bg-primary-hover',
    'btn-text': 'btn-base px-2 text-primary hover:bg-primary-soft',
    'btn-outline': 'btn-base border border-line text-fg hover:bg-surface',
    'icon-btn-base': 'inline-flex shrink-0 items-center justify-center size-9 rounded-full cursor-pointer transition-colors disabled:cursor-not-allowed disabled:op-50 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-primary',
    'icon-btn': 'icon-btn-base text-fg-muted enabled:hover:bg-surface enabled:hover:text-fg',
    'icon-btn-solid': 'icon-btn-base bg-primary text-primary-fg enabled:hover:bg-primary-hover',
    'menu-item': 'block w-full text-left px-3 py-1.5 text-sm hover:bg-surface focus-visible:bg-surface focus-visible:outline-none cursor-pointer',
    // a danger-tinted notice box (a refused change, an "are you sure?" row)
    'notice-danger': 'flex flex-wrap items-center text-xs px-2.5 py-2 rounded-lg border border-danger/40 bg-danger/10',
    'input-base': 'w-full rounded-lg border-base bg-card px-3 py-2 text-sm text-fg placeholder:text-fg-muted outline-none transition-colors focus:border-primary focus:ring-2 focus:ring-primary/25',
  },
  preflights: [
    {
      getCSS: () => tokensCss,
    },
  ],
})
