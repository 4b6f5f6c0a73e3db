// @ts-check
import { existsSync } from 'node:fs'
import antfu from '@antfu/eslint-config'

// Globals for WXT's auto-imports (browser, defineBackground, ref, i18n …), written by
// `wxt prepare` (postinstall) because wxt.config.ts sets `imports.eslintrc`. Skipped, not
// fatal, when .wxt/ has not been generated yet.
const wxtAutoImportsPath = new URL('./.wxt/eslint-auto-imports.mjs', import.meta.url)
const wxtAutoImports = existsSync(wxtAutoImportsPath)
  ? [(await import(wxtAutoImportsPath.href)).default]
  : []

/** Node code beside the extension: reads `process` freely and logs to the console. */
const nodeFolders = [
  'server/**',
  'simulator/**',
  'bench/**',
  'scripts/**',
]

export default antfu(
  {
    vue: true,
    typescript: true,
    unocss: true,
    ignores: [
      '.output/**',
      '.wxt/**',
      'data/**',
      '**/node_modules/**',
      '**/*.md',
    ],
  },
  ...wxtAutoImports,
  {
    name: 'wa-inbox/extension',
    rules: {
      // console.log is a leftover; info/warn/error are deliberate (background logs, caught errors).
      'no-console': [
        'error',
        {
          allow: ['info', 'warn', 'error'],
        },
      ],
    },
  },
  {
    name: 'wa-inbox/node',
    files: [...nodeFolders, '*.config.{js,ts}'],
    rules: {
      'no-console': 'off',
      'node/prefer-global/process': 'off',
      'node/prefer-global/buffer': 'off',
    },
  },
  {
    name: 'wa-inbox/locales',
    files: ['locales/*.yml'],
    rules: {
      // Keep every locale in the same (alphabetical) order so diffs between them stay readable.
      'yaml/sort-keys': [
        'error',
        'asc',
        { caseSensitive: false, natural: true },
      ],
    },
  },
)
