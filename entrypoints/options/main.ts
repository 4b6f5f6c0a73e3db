import { createPinia } from 'pinia'
import { createApp } from 'vue'
import { i18n } from '#i18n'
import { applyLanguageChoice, reloadOnLanguageChange } from '~/utils/language'
import { setupPageDocument } from '~/utils/page-document'
import App from './App.vue'
import '~/assets/styles'

// The agent's language choice (options) applies before anything is rendered.
void applyLanguageChoice().then(() => {
  reloadOnLanguageChange()
  setupPageDocument(i18n.t('settings.title'))
  createApp(App).use(createPinia()).mount('#app')
})
