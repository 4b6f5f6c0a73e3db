import { fileURLToPath } from 'node:url'
import { defineConfig } from 'wxt'

// The extension's source lives at the repository root (srcDir = root, WXT's default), beside
// server/, simulator/, protocol/ … Those folders are safe: WXT builds only what is in
// entrypoints/, and auto-imports scan only components/, composables/, hooks/ and utils/.
// WA_TEST_HOOKS=1: the test build (e2e/harness.ts), with the handlers the e2e tests and benchmarks
// call in the background (entrypoints/background/test-hooks.ts), into its own folder. Without it
// (`npm run build:ext`, `npm start`) `import.meta.env.WA_TEST_HOOKS` is `false` and the hooks are
// dropped from the bundle (scripts/check-build.ts checks .output/).
const testHooks = process.env.WA_TEST_HOOKS === '1'

export default defineConfig({
  // webextension-polyfill behind `wxt/browser`: one promise-based `browser.*` in Chrome and
  // Firefox (an onMessage listener may answer with a promise in both).
  modules: [
    '@wxt-dev/webextension-polyfill',
    '@wxt-dev/module-vue',
    '@wxt-dev/unocss',
    '@wxt-dev/i18n/module',
  ],
  // Every component is <script setup>: Vue's Options API (data, methods, mixins …) is dead weight
  // in each page's first JS (about 4.5 KB, half of what webextension-polyfill costs).
  vue: {
    vite: {
      features: { optionsAPI: false },
    },
  },
  outDir: testHooks ? '.output-test' : '.output',
  vite: () => ({
    resolve: {
      // Dexie's modern build instead of its ES5 one (utils/db/dexie-modern.ts); `dexie/…` paths
      // resolve as usual.
      alias: [
        {
          find: /^dexie$/,
          replacement: fileURLToPath(new URL('./utils/db/dexie-modern.ts', import.meta.url)),
        },
      ],
    },
    define: {
      'import.meta.env.WA_TEST_HOOKS': JSON.stringify(testHooks),
    },
  }),
  // `wxt` (dev mode) must not try to launch a browser on these machines.
  webExt: { disabled: true },
  imports: {
    // Writes .wxt/eslint-auto-imports.mjs, which eslint.config.js spreads in as globals.
    eslintrc: { enabled: 9 },
  },
  manifest: ({ browser }) => ({
    name: '__MSG_extension_name__',
    description: '__MSG_extension_description__',
    default_locale: 'en',
    // `sidePanel` is added by WXT for Chrome builds only: listing it here would leak it into
    // the Firefox manifest, which uses `sidebar_action` (generated from entrypoints/sidepanel).
    // `alarms`: a periodic wake-up that restarts sync after the browser stopped the background
    // (also re-checks the badge and chats waiting too long). `notifications`: new chats, messages,
    // failed sends. `idle`: away while the computer is idle or locked. `contextMenus`,
    // `activeTab`, `scripting`: the phone-number menu and the numbers found on the current page.
    permissions: [
      'storage',
      'alarms',
      'notifications',
      'idle',
      'contextMenus',
      'activeTab',
      'scripting',
    ],
    // No host permissions: each team chooses its server URL on the options page, so there is
    // nothing to name here, and pages reach the server with plain CORS requests, which need
    // none (server/src/app.ts registers @fastify/cors for any origin, extension ones included;
    // checked in Chromium 156 against 127.0.0.1 without any permission prompt). If a
    // later feature needs more than CORS gives, request the chosen origin at runtime through
    // `optional_host_permissions` (MV3) / `optional_permissions` (Firefox MV2).
    // Toolbar button: opens the side panel (Chrome) or toggles the sidebar (Firefox), see
    // entrypoints/background/side-panel.ts. WXT turns it into `browser_action` for Firefox MV2.
    action: { default_title: '__MSG_extension_actionTitle__' },
    // Keyboard commands (utils/commands.ts). The toolbar button opens the popup (quick
    // assignment); the inbox panel opens with its own command: Chrome's `open-panel` calls
    // sidePanel.open() in the command's gesture, Firefox has `_execute_sidebar_action`.
    commands: {
      ...(browser === 'firefox'
        ? {
            _execute_browser_action: {
              suggested_key: { default: 'Alt+Shift+W' },
            },
            _execute_sidebar_action: {
              suggested_key: { default: 'Alt+Shift+I' },
              description: '__MSG_background_commands_openPanel__',
            },
          }
        : {
            '_execute_action': {
              suggested_key: { default: 'Alt+Shift+W' },
            },
            'open-panel': {
              suggested_key: { default: 'Alt+Shift+I' },
              description: '__MSG_background_commands_openPanel__',
            },
          }),
      'next-unassigned': {
        suggested_key: { default: 'Alt+Shift+N' },
        description: '__MSG_background_commands_nextUnassigned__',
      },
      'claim-next': {
        suggested_key: { default: 'Alt+Shift+C' },
        description: '__MSG_background_commands_claimNext__',
      },
    },
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: { id: 'wa-inbox@wa-inbox.dev' },
          },
        }
      // Chrome 116: stable chrome.sidePanel API, including sidePanel.open().
      : { minimum_chrome_version: '116' }),
  }),
  suppressWarnings: {
    // TODO(store listing issue): declare gecko.data_collection_permissions (messages and
    // contacts travel to the team's own server) before the first AMO submission.
    firefoxDataCollection: true,
  },
})
