// The one place that pulls UnoCSS into a page: every UI entrypoint's main.ts imports this
// module first, so all pages share one stylesheet setup (reset, colour tokens, utilities).
import 'virtual:uno.css'
