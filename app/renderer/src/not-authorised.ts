/**
 * The screen of a page that may not talk to the host. Plain DOM, no Vue: when this shows, nothing else of
 * the app has been loaded (the app is a separate chunk imported only after a successful connection).
 */
const COPY = {
  'no-token': {
    title: 'Not authorised',
    body: 'This page was opened without an access token, so it cannot talk to Atomiton.',
  },
  refused: {
    title: 'Not authorised',
    body: 'Atomiton refused this page’s access token (or is no longer running).',
  },
} as const

export function renderNotAuthorised(root: HTMLElement, reason: keyof typeof COPY): void {
  const copy = COPY[reason]
  const card = document.createElement('main')
  card.className = 'gate'
  card.setAttribute('role', 'alert')
  card.dataset['testid'] = 'not-authorised'
  card.dataset['reason'] = reason

  const title = document.createElement('h1')
  title.prepend(lockIcon())
  title.textContent = copy.title
  const body = document.createElement('p')
  body.textContent = copy.body
  const hint = document.createElement('p')
  hint.className = 'gate-hint'
  hint.append('Open the address printed by ')
  const code = document.createElement('code')
  code.textContent = 'npm run serve'
  hint.append(code, ' (it carries a fresh token), or start the desktop app.')

  card.append(title, body, hint)
  root.replaceChildren(card)
}

function lockIcon(): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg'
  const svg = document.createElementNS(ns, 'svg')
  svg.setAttribute('viewBox', '0 0 24 24')
  svg.setAttribute('width', '22')
  svg.setAttribute('height', '22')
  svg.setAttribute('aria-hidden', 'true')
  svg.setAttribute('class', 'gate-icon')
  const path = document.createElementNS(ns, 'path')
  path.setAttribute('d', 'M6 11h12v10h-12z M8 11v-4a4 4 0 0 1 8 0v4 M12 15v2')
  path.setAttribute('fill', 'none')
  path.setAttribute('stroke', 'currentColor')
  path.setAttribute('stroke-width', '1.8')
  path.setAttribute('stroke-linecap', 'round')
  path.setAttribute('stroke-linejoin', 'round')
  svg.append(path)
  return svg
}

export function renderConnecting(root: HTMLElement): void {
  const card = document.createElement('main')
  card.className = 'gate gate-quiet'
  card.dataset['testid'] = 'connecting'
  card.textContent = 'Connecting to Atomiton…'
  root.replaceChildren(card)
}
