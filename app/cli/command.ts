/**
 * One command of `npx atomiton <command> ...`: a module under `app/cli/commands/`, listed in the dispatcher
 * table (`app/cli/commands.ts`). It gets its arguments and the process's streams, and returns the exit code.
 */
import type { Readable, Writable } from 'node:stream'

export interface CliIo {
  readonly stdout: Writable
  readonly stderr: Writable
  /** For questions (`Install? [y/N]`). */
  readonly stdin: Readable
  /** Relative paths are resolved against it. */
  readonly cwd: string
}

export interface Command {
  /** One line for `npx atomiton --help`. */
  readonly summary: string
  readonly usage: string
  run(args: readonly string[], io: CliIo): Promise<number>
}

/** A bad command line: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}
