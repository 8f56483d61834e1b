/**
 * The JSON Forms renderer set: the vanilla renderers (layouts, arrays, objects) with the field controls
 * replaced by ours. Vanilla's controls commit on `change` (blur) and bind the input's value to the model,
 * so any re-render before the blur (a validation answer, another field's commit) put the old value back
 * over what was being typed: ours commit on every keystroke and keep the typed text (see controls/).
 */
import { and, isBooleanControl, isEnumControl, isIntegerControl, isNumberControl, isOneOfEnumControl, isStringControl, or, rankWith, schemaMatches, type JsonFormsRendererRegistryEntry } from '@jsonforms/core'
import { vanillaRenderers } from '@jsonforms/vue-vanilla'
import { markRaw } from 'vue'
import BooleanControl from './controls/BooleanControl.vue'
import EnumControl from './controls/EnumControl.vue'
import TextControl from './controls/TextControl.vue'
import JsonValueControl from './JsonValueControl.vue'
import { isFreeform } from './schema'

const notFreeform = schemaMatches((schema, rootSchema) => !isFreeform(schema, rootSchema))

// Above every vanilla control (they rank 1-5), so each field kind lands on one of ours.
const ours: JsonFormsRendererRegistryEntry[] = [
  { renderer: TextControl, tester: rankWith(8, and(or(isStringControl, isNumberControl, isIntegerControl), notFreeform)) },
  { renderer: EnumControl, tester: rankWith(9, or(isEnumControl, isOneOfEnumControl)) },
  { renderer: BooleanControl, tester: rankWith(8, isBooleanControl) },
  // Unions and records never fall through to "No applicable renderer".
  { renderer: JsonValueControl, tester: rankWith(10, schemaMatches((schema, rootSchema) => isFreeform(schema, rootSchema))) },
]

export const renderers: readonly JsonFormsRendererRegistryEntry[] = markRaw(Object.freeze([...vanillaRenderers, ...ours]))
