/**
 * The description an isolated plugin's process sends: the host rebuilds validators that refuse what the
 * plugin's own schemas refuse, and refuses a description that is not one (it comes from an untrusted process).
 */
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createHost } from '../host/create-host'
import { definePlugin, event } from '../plugin/definition'
import { definitionFromDescription, describeDefinition, parseDescription } from './description'

const original = definePlugin({
  id: 'notes',
  version: '1.2.0',
  permissions: ['storage.get'],
  settings: z.object({ greeting: z.string().default('hello') }),
  events: { saved: event({ payload: z.object({ id: z.string() }), expose: true }) },
  procedures: (p) => ({
    save: p.procedure({
      input: z.object({ id: z.string().min(1).max(8), tags: z.array(z.enum(['a', 'b'])).max(2), count: z.number().int().min(0) }),
      output: z.object({ ok: z.boolean() }),
      expose: true,
      timeoutMs: 500,
      rateLimit: { capacity: 2, perSecond: 1 },
      handler: () => ({ ok: true }),
    }),
  }),
})

describe('an isolated plugin described to the host', () => {
  it('is rebuilt with validators that refuse what the original refuses, and handlers that forward', async () => {
    const description = parseDescription(structuredClone(describeDefinition(original)))
    const forwarded: unknown[] = []
    const rebuilt = definitionFromDescription(description, (name, input) => (forwarded.push([name, input]), { ok: true }))
    expect(rebuilt.procedures.save).toMatchObject({ method: 'notes.save', expose: true, timeoutMs: 500, rateLimit: { capacity: 2, perSecond: 1 } })
    const host = await createHost({ plugins: [rebuilt], rateLimit: false })
    try {
      const bad = [{ id: '', tags: [], count: 0 }, { id: 'x'.repeat(9), tags: [], count: 0 }, { id: 'a', tags: ['c'], count: 0 }, { id: 'a', tags: ['a', 'b', 'a'], count: 0 }, { id: 'a', tags: [], count: 1.5 }, null, 'text']
      for (const params of bad) {
        expect(z.safeParse(original.procedures.save.input!, params).success).toBe(false)
        await expect(host.call('notes.save', params)).rejects.toMatchObject({ code: 'INVALID_PARAMS' })
      }
      await expect(host.call('notes.save', { id: 'a', tags: ['b'], count: 2 })).resolves.toEqual({ ok: true })
      expect(forwarded).toEqual([['save', { id: 'a', tags: ['b'], count: 2 }]])
      const saved: unknown[] = []
      host.eventBus.listen(host.mainCaller, 'notes.saved', (payload) => saved.push(payload))
      expect(() => host.eventBus.emit('notes.saved', { id: 3 })).toThrow(/Invalid payload/)
      expect(rebuilt.settings && z.parse(rebuilt.settings, {})).toEqual({ greeting: 'hello' })
    } finally {
      await host.dispose()
    }
  })

  it('is refused when it is not a description: wrong shapes, bad names, absurd limits', () => {
    const good = describeDefinition(original)
    const bad: unknown[] = [
      null,
      'text',
      { ...good, id: 'Bad Id' },
      { ...good, procedures: { '__proto__x': good.procedures['save'] } },
      { ...good, procedures: { save: { ...good.procedures['save'], timeoutMs: -1 } } },
      { ...good, procedures: { save: { ...good.procedures['save'], expose: 'yes' } } },
      { ...good, events: { saved: { expose: true } } },
      { ...good, permissions: 'storage.get' },
    ]
    for (const value of bad) expect(() => parseDescription(value)).toThrow(/invalid description/)
  })
})
