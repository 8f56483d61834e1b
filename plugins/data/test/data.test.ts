// The data nodes: CSV with papaparse (quotes, newlines, hostile headers, formula cells), the record operations,
// and map/filter expressions in the real sandbox, with per-item errors and cancellation between items.
import { describe, expect, it } from 'vitest'
import { createNodeTypeHost } from '@atomiton/plugin-sdk/testing'
import { dataPlugin } from '../index'

async function setup() {
  return createNodeTypeHost({ plugins: [dataPlugin] })
}

const people = [
  { name: 'Ada', age: 36, city: { name: 'London' } },
  { name: 'Grace', age: 85, city: { name: 'New York' } },
  { name: 'Alan', age: 41, city: { name: 'London' } },
]

describe('data: CSV', () => {
  it('parses quoted fields, embedded newlines and types, and reports malformed rows', async () => {
    const nodes = await setup()
    const text = 'name,age,note\nAda,36,"likes ""engines"", math"\nGrace,85,"two\nlines"\n'
    const parsed = await nodes.run('data.csv-parse', { text, dynamicTyping: true })
    expect(parsed.outputs).toEqual({
      fields: ['name', 'age', 'note'],
      rows: [
        { name: 'Ada', age: 36, note: 'likes "engines", math' },
        { name: 'Grace', age: 85, note: 'two\nlines' },
      ],
      errors: [],
    })
    const semicolons = await nodes.run('data.csv-parse', { text: 'a;b\n1;2', header: false })
    expect(semicolons.outputs).toMatchObject({ rows: [['a', 'b'], ['1', '2']] })
    const broken = await nodes.run('data.csv-parse', { text: 'a,b\n"unclosed,1' })
    expect((broken.outputs as { errors: unknown[] }).errors.length).toBeGreaterThan(0)
  })

  it('keeps hostile and duplicate headers as plain fields, renaming __proto__ with a note', async () => {
    const nodes = await setup()
    const parsed = await nodes.run('data.csv-parse', { text: '__proto__,constructor,x,x,\n1,2,3,4,5' })
    const { rows, fields, errors } = parsed.outputs as { rows: Record<string, unknown>[]; fields: string[]; errors: { message: string }[] }
    expect(fields).toEqual(['field_1', 'constructor', 'x', 'x_2', 'field_5'])
    expect(errors).toEqual([{ row: 0, message: expect.stringContaining('"__proto__"') }])
    expect(rows[0]?.constructor).toBe('2')
    expect(Object.getPrototypeOf(rows[0])).toBe(Object.prototype)
    expect(Object.keys(rows[0] ?? {})).toEqual(fields)
    expect(rows[0]?.x_2).toBe('4')
  })

  it('formats rows as CSV, escaping formula-like cells unless told not to, and round-trips', async () => {
    const nodes = await setup()
    const rows = [{ name: 'Ada', note: 'a, "quoted"\nline' }, { name: '=HYPERLINK("http://evil")', note: null }]
    const formatted = await nodes.run('data.csv-format', { rows })
    const { text } = formatted.outputs as { text: string }
    expect(text.split('\n')[0]).toBe('name,note')
    expect(text).toContain(`"'=HYPERLINK(""http://evil"")"`)
    const raw = await nodes.run('data.csv-format', { rows, escapeFormulae: false })
    const back = await nodes.run('data.csv-parse', { text: (raw.outputs as { text: string }).text })
    expect(back.outputs).toMatchObject({ rows: [{ name: 'Ada', note: 'a, "quoted"\nline' }, { name: '=HYPERLINK("http://evil")', note: '' }] })
    const nested = await nodes.run('data.csv-format', { rows: [{ a: { b: 1 } }], fields: ['a', 'missing'] })
    expect((nested.outputs as { text: string }).text).toBe('a,missing\n"{""b"":1}",')
  })
})

describe('data: records', () => {
  it('selects, sets, removes and renames fields, nested paths included, without changing the input', async () => {
    const nodes = await setup()
    await expect(nodes.run('data.select', { items: people, fields: ['name', 'city.name'] })).resolves.toMatchObject({
      outputs: { items: [{ name: 'Ada', city: { name: 'London' } }, { name: 'Grace', city: { name: 'New York' } }, { name: 'Alan', city: { name: 'London' } }] },
    })
    const set = await nodes.run('data.set', { items: people.slice(0, 1), values: { 'city.country': 'UK', active: true }, remove: ['age'] })
    expect(set.outputs).toEqual({ items: [{ name: 'Ada', city: { name: 'London', country: 'UK' }, active: true }] })
    expect(people[0]).toEqual({ name: 'Ada', age: 36, city: { name: 'London' } })
    const renamed = await nodes.run('data.rename', { items: people.slice(0, 1), fields: { name: 'fullName', 'city.name': 'town' } })
    expect(renamed.outputs).toEqual({ items: [{ fullName: 'Ada', age: 36, city: {}, town: 'London' }] })
  })

  it('refuses prototype field names instead of touching a prototype', async () => {
    const nodes = await setup()
    await expect(nodes.run('data.set', { items: [{}], values: { '__proto__.polluted': true } })).rejects.toMatchObject({ code: 'INVALID_FIELD', issues: [{ path: ['values', '__proto__.polluted'] }] })
    await expect(nodes.run('data.rename', { items: [{ a: 1 }], fields: { a: 'constructor.prototype.x' } })).rejects.toMatchObject({ code: 'INVALID_FIELD' })
    await expect(nodes.run('data.sort', { items: [{}], by: [{ field: 'a..b' }] })).rejects.toMatchObject({ code: 'INVALID_FIELD', issues: [{ path: ['by', 0, 'field'] }] })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('sorts by several fields, stable, missing values last', async () => {
    const nodes = await setup()
    const items = [{ n: 'b', v: 2 }, { n: 'a10', v: 1 }, { n: 'a2', v: 1 }, { n: 'x' }, { n: 'c', v: 2 }]
    const sorted = await nodes.run('data.sort', { items, by: [{ field: 'v', direction: 'desc' }, { field: 'n' }] })
    expect((sorted.outputs as { items: { n: string }[] }).items.map((item) => item.n)).toEqual(['b', 'c', 'a2', 'a10', 'x'])
  })

  it('groups by a field in first-seen order', async () => {
    const nodes = await setup()
    const grouped = await nodes.run('data.group', { items: people, by: 'city.name' })
    expect(grouped.outputs).toEqual({
      groups: [
        { key: 'London', items: [people[0], people[2]] },
        { key: 'New York', items: [people[1]] },
      ],
    })
  })

  it('merges lists appended, by index and by key (inner, left, full)', async () => {
    const nodes = await setup()
    const left = [{ id: 1, a: 'x' }, { id: 2, a: 'y' }]
    const right = [{ id: 2, b: 'z' }, { id: 3, b: 'w' }]
    await expect(nodes.run('data.merge', { left, right })).resolves.toMatchObject({ outputs: { items: [...left, ...right] } })
    await expect(nodes.run('data.merge', { left, right, mode: 'by-index' })).resolves.toMatchObject({ outputs: { items: [{ id: 2, a: 'x', b: 'z' }, { id: 3, a: 'y', b: 'w' }] } })
    await expect(nodes.run('data.merge', { left, right, mode: 'by-key', key: 'id', join: 'inner' })).resolves.toMatchObject({ outputs: { items: [{ id: 2, a: 'y', b: 'z' }] } })
    await expect(nodes.run('data.merge', { left, right, mode: 'by-key', key: 'id' })).resolves.toMatchObject({ outputs: { items: [{ id: 1, a: 'x' }, { id: 2, a: 'y', b: 'z' }] } })
    await expect(nodes.run('data.merge', { left, right, mode: 'by-key', key: 'id', join: 'full' })).resolves.toMatchObject({
      outputs: { items: [{ id: 1, a: 'x' }, { id: 2, a: 'y', b: 'z' }, { id: 3, b: 'w' }] },
    })
    await expect(nodes.run('data.merge', { left, right, mode: 'by-key' })).rejects.toMatchObject({ code: 'INVALID_FIELD', issues: [{ path: ['key'] }] })
  })
})

describe('data: map and filter in the sandbox', () => {
  it('maps and filters with an expression, item and index in scope', async () => {
    const nodes = await setup()
    await expect(nodes.run('data.map', { items: people, expression: '({ who: item.name.toUpperCase(), n: index })' })).resolves.toMatchObject({
      outputs: { items: [{ who: 'ADA', n: 0 }, { who: 'GRACE', n: 1 }, { who: 'ALAN', n: 2 }] },
    })
    await expect(nodes.run('data.filter', { items: people, expression: 'item.age > 40 && item.city.name === "London"' })).resolves.toMatchObject({
      outputs: { items: [people[2]] },
    })
  })

  it('names the item and the column where an expression failed', async () => {
    const nodes = await setup()
    await expect(nodes.run('data.map', { items: [{ a: { b: 1 } }, { a: null }], expression: 'item.a.b' })).rejects.toMatchObject({
      code: 'EXPRESSION_ERROR',
      index: 1,
      issues: [{ path: ['expression'], message: expect.stringMatching(/^column \d+: cannot read property 'b' of null/) }, { path: ['items', 1] }],
    })
    await nodes.configure('data', { expressionTimeoutMs: 50 })
    await expect(nodes.run('data.filter', { items: [1], expression: '(() => { while (true) {} })()' })).rejects.toMatchObject({ code: 'EXPRESSION_TIMEOUT' })
  })

  it('stops between items when the run is cancelled', async () => {
    const nodes = await setup()
    const controller = new AbortController()
    const items = Array.from({ length: 5000 }, (_, index) => index)
    const running = nodes.run('data.map', { items, expression: 'item * 2' }, { signal: controller.signal })
    // the map yields to the event loop every 256 items: the abort lands during the run
    setImmediate(() => controller.abort(new Error('run cancelled')))
    await expect(running).rejects.toThrow('run cancelled')
  })
})
