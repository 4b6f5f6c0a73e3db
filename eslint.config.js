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

/**
 * Why a component may not import Dexie, the database or the API client (only their types).
 */
const componentDataAccessMessage = 'Components never import Dexie, ~/utils/db or the API client (~/utils/api): read through a composable (composables/), write through ~/utils/actions, call the server through a service in utils/ used by a composable. `import type` is fine.'

/** Components that still import Dexie, the database or the API client (to be moved). */
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
    // Components show and ask; they never reach storage or the server themselves. Reads go
    // through a composable (composables/), writes through utils/actions, server calls through a
    // small service in utils/ that the composable calls. Types of those modules are fine.
    name: 'wa-inbox/components-no-data-access',
    files: ['**/*.vue'],
    rules: {
      'ts/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'dexie',
              message: componentDataAccessMessage,
              allowTypeImports: true,
            },
          ],
          patterns: [
            {
              group: [
                'dexie/*',
                '~/utils/db',
                '~/utils/db/*',
                '~/utils/api',
                '~/utils/api/*',
                '**/utils/db',
                '**/utils/db/*',
                '**/utils/api',
                '**/utils/api/*',
              ],
              message: componentDataAccessMessage,
              allowTypeImports: true,
            },
          ],
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
