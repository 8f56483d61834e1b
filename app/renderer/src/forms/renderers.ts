/** The JSON Forms renderer set: the vanilla renderers plus the JSON text control for free-form fields. */
import { rankWith, schemaMatches, type JsonFormsRendererRegistryEntry } from '@jsonforms/core'
import { vanillaRenderers } from '@jsonforms/vue-vanilla'
import { markRaw } from 'vue'
import JsonValueControl from './JsonValueControl.vue'
import { isFreeform } from './schema'

const jsonValueEntry: JsonFormsRendererRegistryEntry = {
  renderer: JsonValueControl,
  // Above every vanilla control (they rank 1-5), so unions and records never fall through to "No applicable renderer".
  tester: rankWith(10, schemaMatches((schema, rootSchema) => isFreeform(schema, rootSchema))),
}

export const renderers: readonly JsonFormsRendererRegistryEntry[] = markRaw(Object.freeze([...vanillaRenderers, jsonValueEntry]))
