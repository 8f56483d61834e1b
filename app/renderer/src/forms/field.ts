/**
 * What every control of the generated forms shares: ids unique to the form (two node forms on one page
 * never share an input id, so a label always names its own input), the error or description line, and
 * the ARIA that ties an error to its field (`aria-invalid`, `aria-describedby`). The message line is not
 * a live region: validation answers on every keystroke would otherwise be announced as they arrive.
 */
import type { ControlElement } from '@jsonforms/core'
import type { ControlProps } from '@jsonforms/vue'
import { useJsonFormsControl } from '@jsonforms/vue'
import { computed, inject, type InjectionKey } from 'vue'

/** Provided by `SchemaForm`: a prefix unique to one form instance. */
export const FORM_ID: InjectionKey<string> = Symbol('schema-form-id')

let forms = 0
export function nextFormId(): string {
  forms += 1
  return `form${forms}`
}

/** JSON Forms resolves `$ref` and loses its sibling `description`: read it from the raw property too. */
function rawDescription(root: unknown, scope: string): string {
  let node: unknown = root
  for (const part of scope.replace(/^#\//, '').split('/')) node = (node as Record<string, unknown> | undefined)?.[decodeURIComponent(part)]
  const text = (node as { description?: unknown } | undefined)?.description
  return typeof text === 'string' ? text : ''
}

export function useField(props: ControlProps, localError: () => string | null = () => null) {
  const { control, handleChange } = useJsonFormsControl(props)
  const formId = inject(FORM_ID, 'form')
  const base = computed(() => `${formId}-${control.value.path.replace(/[^A-Za-z0-9_-]/g, '_')}`)
  const inputId = computed(() => `${base.value}-input`)
  const messageId = computed(() => `${base.value}-message`)
  const error = computed(() => localError() ?? (control.value.errors || null))
  const description = computed(() => control.value.description || rawDescription(control.value.rootSchema, (control.value.uischema as ControlElement).scope))
  const message = computed(() => error.value ?? description.value)
  const aria = computed(() => ({
    ...(error.value !== null ? { 'aria-invalid': true } : {}),
    ...(message.value ? { 'aria-describedby': messageId.value } : {}),
  }))
  return { control, handleChange, inputId, messageId, error, message, aria }
}
