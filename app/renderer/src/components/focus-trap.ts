/**
 * Keeps keyboard focus inside a dialog while it is open: Tab from the last focusable element goes to the
 * first and Shift+Tab from the first to the last; focus returns where it was when the dialog closes.
 */
import { onBeforeUnmount, onMounted, type Ref } from 'vue'

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])'

export function focusablesIn(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((element) => element.getClientRects().length > 0)
}

export function useFocusTrap(root: Ref<HTMLElement | null>, initial?: Ref<HTMLElement | null>): void {
  let previous: Element | null = null

  function onKeydown(event: KeyboardEvent): void {
    if (event.key !== 'Tab' || !root.value) return
    const items = focusablesIn(root.value)
    if (items.length === 0) {
      event.preventDefault()
      return
    }
    const first = items[0]!
    const last = items[items.length - 1]!
    const active = document.activeElement
    if (event.shiftKey && (active === first || !root.value.contains(active))) {
      event.preventDefault()
      last.focus()
    } else if (!event.shiftKey && (active === last || !root.value.contains(active))) {
      event.preventDefault()
      first.focus()
    }
  }

  onMounted(() => {
    previous = document.activeElement
    document.addEventListener('keydown', onKeydown, true)
    const target = initial?.value ?? (root.value ? focusablesIn(root.value)[0] : undefined)
    target?.focus()
  })
  onBeforeUnmount(() => {
    document.removeEventListener('keydown', onKeydown, true)
    if (previous instanceof HTMLElement && previous.isConnected) previous.focus()
  })
}
