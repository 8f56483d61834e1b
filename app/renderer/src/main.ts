/**
 * Entry point. Zod is not part of the renderer bundle (the client only imports its types), so there is
 * no `z.config({ jitless: true })` to set; if a value import of zod is ever added, set it here first.
 *
 * The app itself is a separate chunk, imported only once the bridge is connected: a page without a
 * valid token gets the "not authorised" screen and nothing else (no app code, no calls).
 */
import './styles/gate.css'
import { connect } from './connect'
import { startTheme } from './lib/theme'
import { renderConnecting, renderNotAuthorised } from './not-authorised'

async function start(root: HTMLElement): Promise<void> {
  renderConnecting(root)
  const result = await connect(window)
  if (!result.ok) {
    renderNotAuthorised(root, result.reason)
    return
  }
  const { mountApp } = await import('./app')
  mountApp(root, result.link)
}

startTheme()
const root = document.getElementById('app')
if (root) void start(root)
