/**
 * Ties each JSON Forms field to its message for assistive technology. The vanilla renderers label every
 * input (`<label for>`) but show a field's error (or description) in a sibling `<div>` nothing points at,
 * and never mark the input invalid. This walks a rendered form and, for every control, gives the message
 * an id and sets `aria-describedby` (to the message) and `aria-invalid` (when it is an error) on the input.
 * Idempotent: `SchemaForm` runs it again whenever the form's DOM changes.
 */
export function linkFieldMessages(root: ParentNode): void {
  for (const control of root.querySelectorAll<HTMLElement>('.control[id]')) {
    const inputId = `${control.id}-input`
    const input = [...control.querySelectorAll<HTMLElement>('[id]')].find((element) => element.id === inputId)
    if (!input) continue
    const message = [...control.children].find((child) => child.classList.contains('error') || child.classList.contains('description'))
    const text = message?.textContent?.trim() ?? ''
    const invalid = message?.classList.contains('error') === true && text !== ''
    if (message && text !== '') {
      const id = `${control.id}-message`
      if (message.id !== id) message.id = id
      setAttribute(input, 'aria-describedby', id)
    } else {
      removeAttribute(input, 'aria-describedby')
    }
    if (invalid) setAttribute(input, 'aria-invalid', 'true')
    else removeAttribute(input, 'aria-invalid')
  }
}

// Only real changes touch the DOM, so the observer that calls this does not wake itself up for nothing.
function setAttribute(element: Element, name: string, value: string): void {
  if (element.getAttribute(name) !== value) element.setAttribute(name, value)
}

function removeAttribute(element: Element, name: string): void {
  if (element.hasAttribute(name)) element.removeAttribute(name)
}
