import { createPinia } from 'pinia'
import { createApp } from 'vue'
import { i18n } from '#i18n'
import { setupPageDocument } from '~/utils/page-document'
import App from './App.vue'
import '~/assets/styles'

setupPageDocument(i18n.t('extension.name'))

createApp(App).use(createPinia()).mount('#app')
