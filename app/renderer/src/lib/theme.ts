/**
 * Light or dark: the system's choice (`prefers-color-scheme`, followed live) unless the person picked
 * one with the sidebar's toggle (kept in localStorage). The resolved theme is `data-theme` on <html>,
 * which app.css reads; it is set before the app loads, so the connecting screen follows it too.
 */
import { ref } from 'vue'

export type ThemeChoice = 'system' | 'light' | 'dark'
const KEY = 'atomiton.theme'
const CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark']

function stored(): ThemeChoice {
  try {
    const value = localStorage.getItem(KEY)
    return CHOICES.includes(value as ThemeChoice) ? (value as ThemeChoice) : 'system'
  } catch {
    return 'system'
  }
}

/** The current choice (reactive, for the toggle). */
export const themeChoice = ref<ThemeChoice>('system')

const darkQuery = (): MediaQueryList | undefined => (typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : undefined)

function apply(): void {
  const dark = themeChoice.value === 'dark' || (themeChoice.value === 'system' && darkQuery()?.matches === true)
  document.documentElement.dataset['theme'] = dark ? 'dark' : 'light'
}

export function startTheme(): void {
  themeChoice.value = stored()
  apply()
  darkQuery()?.addEventListener('change', apply)
}

export function chooseTheme(choice: ThemeChoice): void {
  themeChoice.value = choice
  try {
    if (choice === 'system') localStorage.removeItem(KEY)
    else localStorage.setItem(KEY, choice)
  } catch {
    // Storage refused (private mode): the choice holds for this page.
  }
  apply()
}

/** system -> the opposite of what the system shows -> the other one -> system. */
export function nextTheme(): ThemeChoice {
  const systemDark = darkQuery()?.matches === true
  const order: ThemeChoice[] = systemDark ? ['system', 'light', 'dark'] : ['system', 'dark', 'light']
  return order[(order.indexOf(themeChoice.value) + 1) % order.length]!
}
