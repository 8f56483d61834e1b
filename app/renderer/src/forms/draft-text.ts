/**
 * The text a control's box shows, kept apart from the model it edits: what is typed is committed at every
 * keystroke whose text means a value (never only on `change`, which fires on blur and lost what was typed
 * before a re-render), and a re-render that brings back the value the text already means never replaces
 * the text, so a validation answer or a store write-back arriving mid-typing cannot overwrite it. Only a
 * different value from outside (undo, "load theirs") does. Text that means no value keeps its parse error
 * beside the field and commits nothing.
 *
 * The text controls (`controls/TextControl.vue`) and the JSON control (`JsonValueControl.vue`) share it;
 * they differ only in how text and value convert.
 */
import { ref, watch, type Ref } from 'vue'

export type ParsedText = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string }

export interface DraftTextOptions {
  /** The model's value as the box shows it. */
  readonly format: (value: unknown) => string
  /** What the box's text means. */
  readonly parse: (text: string) => ParsedText
  /** Whether the text's meaning is already the model's value. */
  readonly same: (parsed: unknown, model: unknown) => boolean
  /** Commits a value the person typed. */
  readonly commit: (value: unknown) => void
  /** Where the draft says why its text means no value (the field shows it), or null. */
  readonly parseError: Ref<string | null>
}

export interface DraftText {
  readonly text: Ref<string>
  readonly onInput: (event: Event) => void
}

export function useDraftText(model: () => unknown, options: DraftTextOptions): DraftText {
  const text = ref(options.format(model()))
  const { parseError } = options

  watch(model, (value) => {
    const parsed = options.parse(text.value)
    if (parsed.ok && options.same(parsed.value, value)) return
    text.value = options.format(value)
    parseError.value = null
  })

  function onInput(event: Event): void {
    text.value = (event.target as HTMLInputElement | HTMLTextAreaElement).value
    const parsed = options.parse(text.value)
    if (!parsed.ok) {
      parseError.value = parsed.message
      return
    }
    parseError.value = null
    options.commit(parsed.value)
  }

  return { text, onInput }
}
