import { describe, expect, it } from 'vitest'
import { SyncHook } from 'tapable'
import { DisposableStore } from '../src/host/disposable'
import { Deadlines } from '../src/host/deadlines'
import { ManagedHook } from '../src/host/managed-hook'

describe('ManagedHook', () => {
  it('removes a tap for real: the tapable hook is rebuilt without it', () => {
    const managed = new ManagedHook(() => new SyncHook<[string[]]>(['log']))
    const a = managed.tap({ name: 'a', owner: 'one' }, (log) => void log.push('a'))
    managed.tap({ name: 'b', owner: 'two', stage: -1 }, (log) => void log.push('b'))
    const log: string[] = []
    managed.hook.call(log)
    expect(log).toEqual(['b', 'a'])
    void a.dispose()
    expect(managed.hook.taps.map((tap) => tap.name)).toEqual(['two:b'])
    const after: string[] = []
    managed.hook.call(after)
    expect(after).toEqual(['b'])
    expect(managed.removeOwner('two')).toBe(1)
    expect(managed.isUsed()).toBe(false)
  })
})

describe('DisposableStore', () => {
  it('disposes last in first out, catches failures and reports them', async () => {
    const store = new DisposableStore()
    const order: number[] = []
    store.add(() => void order.push(1), 'one')
    store.add(() => {
      throw new Error('two broke')
    }, 'two')
    store.add(async () => void order.push(3), 'three')
    const report = await store.dispose()
    expect(order).toEqual([3, 1])
    expect(report).toMatchObject({ disposed: 2, failures: [{ label: 'two' }], timedOut: [] })
    let late = false
    store.add(() => void (late = true))
    await expect.poll(() => late).toBe(true)
  })
})

describe('Deadlines', () => {
  it('expires what is due on one timer and keeps the rest', async () => {
    let now = 0
    const deadlines = new Deadlines(() => now)
    const expired: string[] = []
    const item = (name: string, deadline: number) => ({ deadline, expire: () => void expired.push(name) })
    const late = item('late', 1_000_000)
    deadlines.add(item('soon', 1))
    deadlines.add(late)
    now = 5
    await expect.poll(() => expired).toEqual(['soon'])
    expect(deadlines.size).toBe(1)
    deadlines.delete(late)
    expect(deadlines.size).toBe(0)
  })
})
