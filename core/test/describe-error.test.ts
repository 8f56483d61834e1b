// The one safe reading of a thrown value (logs, error envelopes, plugin states), and the logger that uses it.
import { describe, expect, it } from 'vitest'
import { describeError, errorMessage, UNREADABLE } from '../src/common/describe-error'
import { createMemoryLogger } from '../src/host/logger'
import { UNREADABLE_KINDS, throwingGetter, unreadable } from '../src/transports/test-support/hostile-plugin'

describe('describeError', () => {
  it('keeps what an ordinary error says: name, message, stack, code and causes', () => {
    const cause = Object.assign(new TypeError('disk full'), { code: 'ENOSPC' })
    const description = describeError(new Error('save failed', { cause }))
    expect(description).toMatchObject({
      name: 'Error',
      message: 'save failed',
      stack: expect.stringContaining('describe-error.test.ts'),
      cause: { name: 'TypeError', message: 'disk full', code: 'ENOSPC' },
    })
  })

  it.each(UNREADABLE_KINDS)('never throws on an unreadable value (%s), and says what it could not read', (kind) => {
    const description = describeError(unreadable(kind))
    expect(typeof description.name).toBe('string')
    expect(typeof description.message).toBe('string')
    expect(JSON.parse(JSON.stringify(description))).toEqual(description)
  })

  it('marks a message whose getter throws as unreadable, and reads the rest', () => {
    const error = throwingGetter('message', new RangeError('hidden'))
    expect(describeError(error)).toMatchObject({ name: 'RangeError', message: UNREADABLE })
    expect(errorMessage(error)).toBe(UNREADABLE)
  })

  it('describes thrown primitives and follows a cycle of causes only so far', () => {
    expect(describeError('boom')).toEqual({ name: 'string', message: 'boom' })
    expect(describeError(undefined)).toEqual({ name: 'undefined', message: '' })
    const a = new Error('a')
    const b = new Error('b', { cause: a })
    Object.defineProperty(a, 'cause', { value: b })
    let depth = 0
    for (let node = describeError(a).cause; node; node = node.cause) depth++
    expect(depth).toBe(3)
  })

  it('cuts a huge message down', () => {
    expect(describeError(new Error('x'.repeat(1_000_000))).message.length).toBeLessThan(5_000)
  })
})

describe('the host’s logger', () => {
  it('logs an `err` it cannot fully read instead of throwing', () => {
    const logger = createMemoryLogger('debug')
    for (const kind of UNREADABLE_KINDS) expect(() => logger.error({ err: unreadable(kind) }, 'failed')).not.toThrow()
    expect(logger.entries).toHaveLength(UNREADABLE_KINDS.length)
    expect(logger.entries[0]).toMatchObject({ msg: 'failed', err: { message: UNREADABLE } })
  })
})
