/**
 * The data pack: CSV parse and format (papaparse), and select, map, filter, sort, group, set, rename and merge
 * on lists of records. Map and filter run their expression in the SDK's WebAssembly sandbox. Switch the
 * plugin off in Settings to withdraw its node types (its sandbox is disposed).
 */
import { z } from 'zod'
import { definePlugin } from '@atomiton/plugin-sdk'
import { nodeTypes } from '@atomiton/plugin-sdk/contracts'
import { dataSettings, type DataSettings } from './settings'
import { SandboxHolder } from '@atomiton/plugin-sdk/sandbox'
import { csvFormatInput, csvFormatOutput, csvParseInput, csvParseOutput, formatCsv, parseCsv } from './csv-nodes'
import {
  expressionInput,
  filterItems,
  group,
  groupInput,
  groupOutput,
  mapItems,
  merge,
  mergeInput,
  rename,
  renameInput,
  select,
  selectInput,
  setFields,
  setInput,
  sort,
  sortInput,
} from './record-nodes'

const recordsOutput = z.object({ items: z.array(z.record(z.string(), z.json())) })
const valuesOutput = z.object({ items: z.array(z.json()) })

function dataNodeTypes(settings: () => DataSettings, sandboxes: SandboxHolder) {
  const type = <I extends z.ZodType, O extends z.ZodType>(
    name: string,
    title: string,
    description: string,
    input: I,
    output: O,
    execute: (input: z.output<I>, ctx: Parameters<typeof mapItems>[1]) => z.input<O> | Promise<z.input<O>>,
  ) => ({ id: `data.${name}`, title, description, category: 'data', input, output, execute })
  return [
    type('csv-parse', 'Parse CSV', 'Parses CSV text into rows (records named by the header, or arrays).', csvParseInput, csvParseOutput, parseCsv),
    type('csv-format', 'Format CSV', 'Formats rows as CSV text (formula-like cells escaped by default).', csvFormatInput, csvFormatOutput, formatCsv),
    type('select', 'Select fields', 'Keeps only the given fields of each item.', selectInput, recordsOutput, select),
    type('set', 'Set fields', 'Sets (and removes) fields on each item.', setInput, recordsOutput, setFields),
    type('rename', 'Rename fields', 'Renames fields of each item.', renameInput, recordsOutput, rename),
    type('sort', 'Sort', 'Sorts items by one or more fields (stable; missing values last).', sortInput, recordsOutput, sort),
    type('group', 'Group', 'Groups items by the value of a field, in first-seen order.', groupInput, groupOutput, group),
    type('merge', 'Merge', 'Combines two lists: appended, item by item, or by a shared key (inner, left or full join).', mergeInput, recordsOutput, merge),
    type('map', 'Map', 'Replaces each item by the value of an expression (`item`, `index` in scope), run in a sandbox.', expressionInput, valuesOutput, (input, ctx) =>
      mapItems(input, ctx, settings(), sandboxes),
    ),
    type('filter', 'Filter', 'Keeps the items for which an expression (`item`, `index` in scope) is truthy, run in a sandbox.', expressionInput, valuesOutput, (input, ctx) =>
      filterItems(input, ctx, settings(), sandboxes),
    ),
  ]
}

export const dataPlugin = definePlugin({
  id: 'data',
  version: '0.1.0',
  description: 'Data nodes: CSV parse and format, select, map, filter, sort, group, set, rename, merge',
  // Capabilities it uses, shown to the person; it calls no other plugin.
  permissions: ['sandbox.run'],
  settings: dataSettings,
  setup(ctx) {
    const sandboxes = new SandboxHolder('data')
    ctx.onDispose(() => sandboxes.dispose())
    for (const nodeType of dataNodeTypes(() => ctx.settings.get(), sandboxes)) ctx.contribute(nodeTypes, nodeType)
  },
})
