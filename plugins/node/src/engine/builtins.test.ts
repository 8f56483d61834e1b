import { afterEach, describe, expect, it, vi } from 'vitest'
import { NodeError } from './errors'
import { NodeExecutor, type ExecutionRecord } from './executor'
import { NodeTypeRegistry } from './registry'
import {
  delayNode,
  formatJsonPath,
  JsonPathError,
  lookupPath,
  parseJsonPath,
  progressInterval,
  registerBuiltins,
  renderTemplate,
  wait,
} from './builtin/index'
import type { NodeExecutionContext } from './node-type'

function setup() {
  const registry = new NodeTypeRegistry()
  registerBuiltins(registry)
  return new NodeExecutor(registry)
}

async function run(type: string, inputs: unknown): Promise<ExecutionRecord> {
  return setup().execute({ type, inputs })
}

/** Expects a failed record with `code` and, when given, exactly these issue paths. */
function expectFailure(record: ExecutionRecord, code: string, paths?: (string | number)[][]): void {
  expect(record.state).toBe('failed')
  expect(record.error?.code).toBe(code)
  if (paths !== undefined) expect(record.error?.issues?.map((issue) => issue.path)).toEqual(paths)
}

afterEach(() => {
  vi.useRealTimers()
})

describe('core.constant', () => {
  it.each([[{ a: [1, 'two', null, { b: true }] }], [null], [0], ['text'], [[]]])('outputs %j', async (value) => {
    const record = await run('core.constant', { value })
    expect(record.state).toBe('succeeded')
    expect(record.outputs).toEqual({ value })
    expect(record.logs[0]).toMatchObject({ level: 'debug', message: 'Emitting constant' })
  })

  it('rejects a missing or non-JSON value at ["value"]', async () => {
    expectFailure(await run('core.constant', {}), 'INVALID_PARAMS', [['value']])
    expectFailure(await run('core.constant', { value: new Date(0) }), 'INVALID_PARAMS', [['value']])
  })
})

describe('math.arithmetic', () => {
  it.each([
    ['add', 2, 3, 5],
    ['subtract', 2, 3, -1],
    ['multiply', 2.5, 4, 10],
    ['divide', 7, 2, 3.5],
    ['power', 2, 10, 1024],
    ['modulo', 7, 3, 1],
    ['modulo', -7, 3, -1],
  ])('%s(%d, %d) = %d', async (op, a, b, result) => {
    const record = await run('math.arithmetic', { op, a, b })
    expect(record.state).toBe('succeeded')
    expect(record.outputs).toEqual({ result })
    expect(record.logs).toEqual([expect.objectContaining({ level: 'debug', message: `${op}(${a}, ${b}) = ${result}` })])
  })

  it.each(['divide', 'modulo'])('%s by zero fails with DIVISION_BY_ZERO', async (op) => {
    const record = await run('math.arithmetic', { op, a: 1, b: 0 })
    expectFailure(record, 'DIVISION_BY_ZERO', [['b']])
    expect(record.error?.message).toContain('by zero')
  })

  it('a non-finite result fails with NON_FINITE_RESULT', async () => {
    expectFailure(await run('math.arithmetic', { op: 'power', a: 10, b: 400 }), 'NON_FINITE_RESULT')
    expectFailure(await run('math.arithmetic', { op: 'power', a: -8, b: 0.5 }), 'NON_FINITE_RESULT')
  })

  it('rejects bad inputs at their paths', async () => {
    expectFailure(await run('math.arithmetic', { op: 'sqrt', a: 1, b: 2 }), 'INVALID_PARAMS', [['op']])
    expectFailure(await run('math.arithmetic', { op: 'add', a: 1, b: '2' }), 'INVALID_PARAMS', [['b']])
    expectFailure(await run('math.arithmetic', { op: 'add', a: Infinity, b: 1 }), 'INVALID_PARAMS', [['a']])
    expectFailure(await run('math.arithmetic', { op: 'add' }), 'INVALID_PARAMS', [['a'], ['b']])
  })
})

describe('text.template', () => {
  it('fills placeholders (spaces allowed, repeats, numbers, booleans, null as empty)', async () => {
    const record = await run('text.template', {
      template: 'Hello {{name}}! {{ name }} is {{age}}, admin: {{admin}}, note: [{{note}}]',
      values: { name: 'Ada', age: 36, admin: true, note: null },
    })
    expect(record.state).toBe('succeeded')
    expect(record.outputs).toEqual({ text: 'Hello Ada! Ada is 36, admin: true, note: []', missing: [] })
  })

  it('leaves text that is not a placeholder alone', async () => {
    const record = await run('text.template', { template: '{{ 1x }} {name} {{name' })
    expect(record.outputs).toEqual({ text: '{{ 1x }} {name} {{name', missing: [] })
  })

  it('fails with MISSING_VARIABLE naming each missing variable', async () => {
    const record = await run('text.template', { template: 'Hi {{name}} from {{city}} {{name}}', values: { other: 'x' } })
    expectFailure(record, 'MISSING_VARIABLE', [['values', 'name'], ['values', 'city']])
    expect(record.error?.message).toBe('Missing template variables "name", "city"')
    expect(record.error?.data).toEqual({ variables: ['name', 'city'] })
  })

  it('does not take inherited properties for values', async () => {
    const record = await run('text.template', { template: '{{constructor}}' })
    expectFailure(record, 'MISSING_VARIABLE')
    expect(record.error?.message).toBe('Missing template variable "constructor"')
  })

  it('allowMissing renders the missingValue and lists the names, with a warning', async () => {
    const record = await run('text.template', { template: 'Hi {{name}}', allowMissing: true, missingValue: '?' })
    expect(record.outputs).toEqual({ text: 'Hi ?', missing: ['name'] })
    expect(record.logs).toEqual([expect.objectContaining({ level: 'warn', data: { missing: ['name'] } })])
  })

  it('rejects bad inputs at their paths', async () => {
    expectFailure(await run('text.template', { template: 5 }), 'INVALID_PARAMS', [['template']])
    expectFailure(await run('text.template', { template: '', values: { a: { nested: 1 } } }), 'INVALID_PARAMS', [['values', 'a']])
    expectFailure(await run('text.template', { template: '', allowMissing: 'yes' }), 'INVALID_PARAMS', [['allowMissing']])
  })

  it('renderTemplate is usable on its own', () => {
    expect(renderTemplate('{{a}}-{{b}}', { a: 1 }, '_')).toEqual({ text: '1-_', missing: ['b'] })
  })
})

describe('json paths', () => {
  it.each([
    ['', []],
    ['$', []],
    ['a', ['a']],
    ['a.b[0].c', ['a', 'b', 0, 'c']],
    ['$.a[-1]', ['a', -1]],
    ['$[2]', [2]],
    ['[0][1]', [0, 1]],
    ['a["key with spaces"].b', ['a', 'key with spaces', 'b']],
    ["a['it\\'s']", ['a', "it's"]],
    ['a.0.b', ['a', '0', 'b']],
    ['my-key.$ref', ['my-key', '$ref']],
  ])('parses %j', (path, segments) => {
    expect(parseJsonPath(path)).toEqual(segments)
  })

  it.each([
    ['a..b', 2],
    ['.a', 0],
    ['a.', 2],
    ['a[', 2],
    ['a[x]', 2],
    ['a[0', 3],
    ['a["x]', 5],
    ['a b', 1],
    ['a[0]b', 4],
    ['a]', 1],
  ])('rejects %j with the position %d', (path, position) => {
    let caught: unknown
    try {
      parseJsonPath(path)
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(JsonPathError)
    expect((caught as JsonPathError).position).toBe(position)
    expect((caught as JsonPathError).message).toContain(`at position ${position}`)
  })

  it('looks up own properties only, and agrees between a.0 and a[0]', () => {
    const value = { a: [{ b: 1 }, { b: 2 }], o: { '0': 'zero' } }
    expect(lookupPath(value, ['a', 1, 'b'])).toEqual({ found: true, value: 2 })
    expect(lookupPath(value, ['a', '1', 'b'])).toEqual({ found: true, value: 2 })
    expect(lookupPath(value, ['o', 0])).toEqual({ found: true, value: 'zero' })
    expect(lookupPath(value, ['a', 5])).toEqual({ found: false, failedAt: 1 })
    expect(lookupPath(value, ['a', 'length'])).toEqual({ found: false, failedAt: 1 })
    expect(lookupPath(value, ['toString'])).toEqual({ found: false, failedAt: 0 })
    expect(lookupPath(value, ['a', 0, 'b', 'c'])).toEqual({ found: false, failedAt: 3 })
    expect(formatJsonPath(['a', 0, 'x y', '$'])).toBe('a[0]["x y"]["$"]')
  })
})

describe('json.pick', () => {
  const value = { a: { b: [{ c: 'deep' }, { c: 'second' }] }, list: [1, 2, 3] }

  it.each([
    ['a.b[0].c', 'deep'],
    ['a.b[-1].c', 'second'],
    ['list[2]', 3],
    ['', value],
    ['$.a.b[1]', { c: 'second' }],
  ])('picks %j', async (path, picked) => {
    const record = await run('json.pick', { value, path })
    expect(record.state).toBe('succeeded')
    expect(record.outputs).toEqual({ value: picked, found: true })
  })

  it('fails PATH_NOT_FOUND when nothing is there, naming the path', async () => {
    const record = await run('json.pick', { value, path: 'a.x.y' })
    expectFailure(record, 'PATH_NOT_FOUND')
    expect(record.error?.message).toBe('Nothing at path "a.x.y": "a.x" does not exist')
    expect(record.error?.data).toEqual({ path: 'a.x.y', failedAt: 'a.x' })
  })

  it('returns the default with found: false when nothing is there', async () => {
    const record = await run('json.pick', { value, path: 'list[9]', default: 0 })
    expect(record.outputs).toEqual({ value: 0, found: false })
  })

  it('a bad path fails INVALID_PARAMS at ["path"] with its position', async () => {
    const record = await run('json.pick', { value, path: 'a..b' })
    expectFailure(record, 'INVALID_PARAMS', [['path']])
    expect(record.error?.issues?.[0]?.message).toBe(`Invalid path "a..b": Expected a property name after '.' at position 2`)
  })

  it('rejects other bad inputs at their paths', async () => {
    expectFailure(await run('json.pick', { path: 'a' }), 'INVALID_PARAMS', [['value']])
    expectFailure(await run('json.pick', { value, path: 1 }), 'INVALID_PARAMS', [['path']])
  })
})

describe('json.transform', () => {
  const value = { user: { name: 'Ada', tags: ['x', 'y'] } }

  it('maps output names to paths', async () => {
    const record = await run('json.transform', { value, paths: { name: 'user.name', firstTag: 'user.tags[0]', whole: '' } })
    expect(record.state).toBe('succeeded')
    expect(record.outputs).toEqual({ value: { name: 'Ada', firstTag: 'x', whole: value } })
  })

  it('missing "error" (default) fails PATH_NOT_FOUND naming the output; "null" and "omit" do not', async () => {
    const paths = { name: 'user.name', age: 'user.age' }
    const failed = await run('json.transform', { value, paths })
    expectFailure(failed, 'PATH_NOT_FOUND')
    expect(failed.error?.message).toBe('Nothing at path "user.age" (output "age"): "user.age" does not exist')
    expect((await run('json.transform', { value, paths, missing: 'null' })).outputs).toEqual({ value: { name: 'Ada', age: null } })
    expect((await run('json.transform', { value, paths, missing: 'omit' })).outputs).toEqual({ value: { name: 'Ada' } })
  })

  it('a bad path fails INVALID_PARAMS at ["paths", name]', async () => {
    expectFailure(await run('json.transform', { value, paths: { ok: 'user', bad: 'user[' } }), 'INVALID_PARAMS', [['paths', 'bad']])
    expectFailure(await run('json.transform', { value, paths: { ok: 'user' }, missing: 'skip' }), 'INVALID_PARAMS', [['missing']])
    expectFailure(await run('json.transform', { value }), 'INVALID_PARAMS', [['paths']])
  })
})

describe('core.delay', () => {
  it('waits ms, reporting progress, then passes its value through', async () => {
    vi.useFakeTimers()
    const progress: number[] = []
    const handle = setup().start(
      { type: 'core.delay', inputs: { ms: 1000, value: { keep: true } } },
      { onProgress: (record) => progress.push(record.progress?.fraction ?? -1) },
    )
    await vi.advanceTimersByTimeAsync(999)
    const midway = (await Promise.race([handle.done, Promise.resolve('still waiting')])) as unknown
    expect(midway).toBe('still waiting')
    await vi.advanceTimersByTimeAsync(1)
    const record = await handle.done
    expect(record.state).toBe('succeeded')
    expect(record.outputs).toEqual({ waitedMs: 1000, value: { keep: true } })
    expect(progress).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1])
    expect(record.progress).toEqual({ fraction: 1 })
    expect(record.logs.map((l) => l.message)).toEqual(['Waiting 1000 ms'])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('rejects promptly when cancelled, leaving no timer behind', async () => {
    vi.useFakeTimers()
    const executor = setup()
    const statuses: string[] = []
    const handle = executor.start({ type: 'core.delay', inputs: { ms: 60_000 } }, { onStatus: (r) => statuses.push(r.state) })
    await vi.advanceTimersByTimeAsync(2_500)
    expect(executor.get(handle.id)?.progress).toEqual({ fraction: 2 / 60, message: '2000 / 60000 ms' })
    expect(executor.cancel(handle.id)).toBe(true)
    const record = await handle.done // no further timer advance needed
    expect(record.state).toBe('cancelled')
    expect(record.error?.code).toBe('CANCELLED')
    expect(statuses).toEqual(['pending', 'running', 'cancelled'])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('the node itself rejects as soon as its signal aborts, and logs it', async () => {
    vi.useFakeTimers()
    const controller = new AbortController()
    const logs: string[] = []
    const ctx: NodeExecutionContext = {
      signal: controller.signal,
      log: (level, message) => logs.push(`${level}:${message}`),
      progress: () => {},
    }
    const running = Promise.resolve(delayNode.execute({ ms: 30_000 }, ctx))
    const outcome = running.then(
      () => 'resolved',
      (error: unknown) => error,
    )
    await vi.advanceTimersByTimeAsync(100)
    controller.abort()
    const error = await outcome
    expect(error).toBe(controller.signal.reason)
    expect(error).toMatchObject({ name: 'AbortError' })
    expect(logs).toEqual(['debug:Waiting 30000 ms', 'info:Delay cancelled'])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('wait() rejects at once with the reason of an already-aborted signal and honours ms 0', async () => {
    vi.useFakeTimers()
    const reason = new Error('stop')
    await expect(wait(1000, AbortSignal.abort(reason))).rejects.toBe(reason)
    // a non-Error reason becomes a NodeError CANCELLED
    const odd = await wait(1000, AbortSignal.abort('plain')).catch((error: unknown) => error)
    expect(NodeError.is(odd, 'CANCELLED')).toBe(true)
    const zero = wait(0, new AbortController().signal)
    await vi.advanceTimersByTimeAsync(0)
    await expect(zero).resolves.toBeUndefined()
    expect(progressInterval(0)).toBe(100)
    expect(progressInterval(60_000)).toBe(1000)
  })

  it('rejects bad inputs at ["ms"]', async () => {
    expectFailure(await run('core.delay', { ms: 60_001 }), 'INVALID_PARAMS', [['ms']])
    expectFailure(await run('core.delay', { ms: -1 }), 'INVALID_PARAMS', [['ms']])
    expectFailure(await run('core.delay', { ms: 1.5 }), 'INVALID_PARAMS', [['ms']])
    expectFailure(await run('core.delay', {}), 'INVALID_PARAMS', [['ms']])
  })
})

describe('core.log', () => {
  it('logs the value at the level and passes it through', async () => {
    const record = await run('core.log', { value: { n: 1 }, level: 'warn', message: 'look' })
    expect(record.state).toBe('succeeded')
    expect(record.outputs).toEqual({ value: { n: 1 } })
    expect(record.logs).toEqual([expect.objectContaining({ level: 'warn', message: 'look', data: { n: 1 } })])
    expect(typeof record.logs[0]?.at).toBe('number')
  })

  it('defaults to info and the message "Value"', async () => {
    const record = await run('core.log', { value: 'x' })
    expect(record.logs).toEqual([expect.objectContaining({ level: 'info', message: 'Value', data: 'x' })])
  })

  it('rejects bad inputs at their paths', async () => {
    expectFailure(await run('core.log', { value: 1, level: 'trace' }), 'INVALID_PARAMS', [['level']])
    expectFailure(await run('core.log', { level: 'info' }), 'INVALID_PARAMS', [['value']])
  })
})
