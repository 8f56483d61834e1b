import { describe, expect, it } from 'vitest'
import { parseCliArgs, UsageError } from './args'

describe('parseCliArgs', () => {
  it('defaults to a free port and ./.data under the working folder', () => {
    expect(parseCliArgs([], '/home/me/app')).toEqual({
      port: 0,
      dataDir: '/home/me/app/.data',
      rendererDir: undefined,
      logLevel: 'info',
      safeMode: false,
      help: false,
    })
  })

  it('reads --port, --data-dir, --renderer-dir and --log-level, in both spellings', () => {
    expect(parseCliArgs(['--port', '4310', '--data-dir', 'state', '--renderer-dir=/srv/r', '--log-level=debug'], '/w')).toEqual({
      port: 4310,
      dataDir: '/w/state',
      rendererDir: '/srv/r',
      logLevel: 'debug',
      safeMode: false,
      help: false,
    })
    expect(parseCliArgs(['--safe-mode'], '/w').safeMode).toBe(true)
    expect(parseCliArgs(['--data-dir', '/abs/data'], '/w').dataDir).toBe('/abs/data')
    expect(parseCliArgs(['-h'], '/w').help).toBe(true)
  })

  it('refuses bad values, unknown options and stray arguments', () => {
    for (const args of [
      ['--port', 'abc'],
      ['--port', '-1'],
      ['--port', '65536'],
      ['--port', '1.5'],
      ['--log-level', 'loud'],
      ['--data-dir', ''],
      ['--data-dir'],
      ['--verbose'],
      ['serve'],
    ]) {
      expect(() => parseCliArgs(args, '/w'), args.join(' ')).toThrow(UsageError)
    }
  })
})
