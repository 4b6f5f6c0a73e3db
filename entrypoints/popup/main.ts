import { createPinia } from 'pinia'
import { createApp } from 'vue'
import { i18n } from '#i18n'
import { applyLanguageChoice, reloadOnLanguageChange } from '~/utils/language'
import { setupPageDocument } from '~/utils/page-document'
import { prefetchPopupSnapshot } from '~/utils/popup/snapshot'
import App from './App.vue'
import '~/assets/styles'

// What the popup shows is read while the page sets up (utils/badge/popup-data.ts: popupSnapshotStorage).
prefetchPopupSnapshot()
// The agent's language choice (options) applies before anything is rendered.
void applyLanguageChoice().then(() => {
  reloadOnLanguageChange()
  setupPageDocument(i18n.t('popup.title'))
  createApp(App).use(createPinia()).mount('#app')
})
