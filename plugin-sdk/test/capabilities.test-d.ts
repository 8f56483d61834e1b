// Type tests: the SDK's capability modules say in their types what they refuse at run time.
import { describe, expectTypeOf, it } from 'vitest'
import { GrantedFileSystem, type ResolvedPath } from '@atomiton/plugin-sdk/files'
import { runProcess, type ProcessResult } from '@atomiton/plugin-sdk/process'
import { createSandbox, type Sandbox } from '@atomiton/plugin-sdk/sandbox'

describe('capability types', () => {
  it('runs a program with an argument list, never a command string', () => {
    const options = { program: 'git', args: ['status'], cwd: '/tmp', env: {}, timeoutMs: 1000, maxOutputBytes: 1000 }
    expectTypeOf(runProcess(options)).toEqualTypeOf<Promise<ProcessResult>>()
    // @ts-expect-error a shell string is not an argument list
    void runProcess({ ...options, args: 'status --short' })
    // @ts-expect-error the environment is given in full: values are strings
    void runProcess({ ...options, env: { PATH: undefined } })
  })

  it('answers sandbox results as unknown JSON, and limits are numbers', async () => {
    expectTypeOf(createSandbox).returns.toEqualTypeOf<Promise<Sandbox>>()
    const sandbox = await createSandbox({ timeoutMs: 100 })
    expectTypeOf(sandbox.evaluate('return 1')).toEqualTypeOf<Promise<unknown>>()
    // @ts-expect-error a limit is a number of milliseconds
    void createSandbox({ timeoutMs: '1s' })
    // @ts-expect-error options are signal, timeoutMs and filename only
    void sandbox.evaluate('return 1', {}, { memoryBytes: 1 })
  })

  it('gives file operations the granted folders as a function read at each call', () => {
    // @ts-expect-error folders are read through a function (settings change between two calls)
    void new GrantedFileSystem({ folders: ['/tmp'], maxReadBytes: 1 })
    const files = new GrantedFileSystem({ folders: () => ['/tmp'], maxReadBytes: () => 1 })
    expectTypeOf(files.resolve('/tmp/x')).toEqualTypeOf<Promise<ResolvedPath>>()
    expectTypeOf(files.read('/tmp/x')).toEqualTypeOf<Promise<Uint8Array>>()
  })
})
