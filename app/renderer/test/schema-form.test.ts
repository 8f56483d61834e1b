// @vitest-environment jsdom
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import SchemaForm from '../src/forms/SchemaForm.vue'
import { placeIssues } from '../src/forms/errors'
import { formSchemaOf } from '../src/forms/schema'

// The JSON Schemas as discovery sends them (zod's toJSONSchema, io: input).
const anyJson = { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'null' }, { type: 'array', items: { $ref: '#/$defs/json' } }, { type: 'object', additionalProperties: { $ref: '#/$defs/json' } }] }
const arithmetic = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: { op: { type: 'string', enum: ['add', 'multiply'] }, a: { type: 'number' }, b: { type: 'number' } },
  required: ['op', 'a', 'b'],
}
const storageSet = {
  type: 'object',
  properties: { namespace: { type: 'string' }, key: { type: 'string' }, value: {} },
  required: ['namespace', 'key', 'value'],
}
const constant = { type: 'object', properties: { value: { description: 'Any JSON value', $ref: '#/$defs/json' } }, required: ['value'], $defs: { json: anyJson } }

function controlOf(wrapper: ReturnType<typeof mount>, label: string) {
  const control = wrapper.findAll('.control').find((candidate) => candidate.find('label').text().replace(/[*\s]|JSON/g, '') === label)
  if (!control) throw new Error(`No field ${label}`)
  return control
}

describe('SchemaForm (JSON Forms)', () => {
  it('renders one field per property and shows host issues at their field', async () => {
    const wrapper = mount(SchemaForm, { props: { schema: arithmetic, modelValue: { op: 'add', a: 1 }, issues: [{ path: ['b'], message: 'Expected number' }] } })
    expect(wrapper.findAll('.control').map((control) => control.find('label').text().replace(/\s*\*/, ''))).toEqual(['Op', 'A', 'B'])
    expect(controlOf(wrapper, 'B').find('.error').text()).toBe('Expected number')
    expect(controlOf(wrapper, 'A').find('.error').exists()).toBe(false)

    await wrapper.setProps({ issues: [] })
    expect(wrapper.findAll('.control .error')).toHaveLength(0)
  })

  it('emits the edited data', async () => {
    const wrapper = mount(SchemaForm, { props: { schema: arithmetic, modelValue: {} } })
    const input = controlOf(wrapper, 'A').find('input')
    await input.setValue('41')
    await input.trigger('change')
    await nextTick()
    expect(wrapper.emitted('update:modelValue')?.at(-1)).toEqual([{ a: 41 }])
  })

  it('edits "any value" fields as JSON, and refuses text that is not JSON', async () => {
    const wrapper = mount(SchemaForm, { props: { schema: storageSet, modelValue: {} } })
    const value = controlOf(wrapper, 'Value')
    expect(value.classes()).toContain('json-control')
    await value.find('textarea').setValue('{"stars": 5}')
    await value.find('textarea').trigger('change')
    await nextTick()
    expect(wrapper.emitted('update:modelValue')?.at(-1)).toEqual([{ value: { stars: 5 } }])

    await value.find('textarea').setValue('hello')
    await value.find('textarea').trigger('change')
    expect(value.find('.error').text()).toMatch(/Not valid JSON/)
  })

  it('shows a $ref field with its description, and a nested issue at the JSON field it is in', () => {
    const wrapper = mount(SchemaForm, { props: { schema: constant, modelValue: { value: { a: [1] } }, issues: [{ path: ['value', 'a', 0], message: 'Too small' }] } })
    const value = controlOf(wrapper, 'Value')
    expect(value.find('textarea').element.value).toBe('{\n  "a": [\n    1\n  ]\n}')
    expect(value.find('.error').text()).toBe('a[0]: Too small')
  })

  it('lists issues that belong to no field above the form', () => {
    const wrapper = mount(SchemaForm, { props: { schema: arithmetic, modelValue: {}, issues: [{ path: [], message: 'Unrecognized key: "c"' }] } })
    expect(wrapper.find('.form-issues').text()).toContain('Unrecognized key')
  })
})

describe('placing issues', () => {
  it('stops at the deepest rendered field', () => {
    const schema = formSchemaOf({
      type: 'object',
      properties: { workflow: { type: 'object', properties: { nodes: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, inputs: { type: 'object', additionalProperties: {} } } } } } } },
    })
    const { errors, unplaced } = placeIssues(schema, [
      { path: ['workflow', 'nodes', 1, 'id'], message: 'Duplicate' },
      { path: ['workflow', 'nodes', 0, 'inputs', 'b'], message: 'Missing' },
      { path: ['other'], message: 'Unknown field' },
    ])
    expect(errors.map((error) => [error.instancePath, error.message])).toEqual([
      ['/workflow/nodes/1/id', 'Duplicate'],
      ['/workflow/nodes/0/inputs', 'b: Missing'],
    ])
    expect(unplaced).toEqual([{ path: ['other'], message: 'Unknown field' }])
  })
})
