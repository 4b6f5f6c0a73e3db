/** Build constants of our own (wxt.config.ts `vite.define`), beside WXT's (.wxt/types/globals.d.ts). */
interface ImportMetaEnv {
  /** true in the test build only (`WA_TEST_HOOKS=1`, e2e/harness.ts): entrypoints/background/test-hooks.ts */
  readonly WA_TEST_HOOKS: boolean
}
