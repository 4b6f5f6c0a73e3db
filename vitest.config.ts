import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'
import { WxtVitest } from 'wxt/testing/vitest-plugin'

// Server tests run once per storage engine: always on SQLite, and on PostgreSQL when
// TEST_DATABASE_URL is set (CI sets it). The extension project runs on happy-dom + fake-indexeddb.
const postgresUrl = process.env.TEST_DATABASE_URL
const serverInclude = ['server/test/**/*.test.ts']

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'server-sqlite',
          include: serverInclude,
          // *.pg.test.ts need several processes on one database: PostgreSQL only.
          exclude: ['server/test/**/*.pg.test.ts'],
          environment: 'node',
          env: { TEST_ENGINE: 'sqlite' },
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      ...(postgresUrl
        ? [
            {
              test: {
                name: 'server-postgres',
                include: serverInclude,
                environment: 'node',
                env: { TEST_ENGINE: 'postgres' },
                testTimeout: 30_000,
                hookTimeout: 30_000,
              },
            },
          ]
        : []),
      {
        test: {
          name: 'simulator',
          include: ['simulator/test/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
        },
      },
      {
        plugins: [
          WxtVitest(),
          vue(),
        ],
        test: {
          name: 'extension',
          include: ['{utils,components,composables,stores,entrypoints,protocol}/**/__tests__/**/*.test.ts'],
          environment: 'happy-dom',
          // fake-indexeddb first: Dexie reads the IndexedDB globals when it loads, and the setup
          // file's imports (utils/db) load it before any of its own statements run.
          setupFiles: ['fake-indexeddb/auto', './vitest.extension-setup.ts'],
          mockReset: true,
          restoreMocks: true,
        },
      },
      {
        // The built extension in real Chromium and Firefox ESR against a real server and the
        // simulator (e2e/harness.ts). Runs after the other projects, one file at a time.
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['e2e/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 90_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
})
