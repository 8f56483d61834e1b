/**
 * Logging through pino (fast, structured, maintained): the host and every plugin log JSON lines with
 * bindings (`plugin`, `method`, `caller`). The `Logger` interface is the subset of pino the kernel uses,
 * so a test can capture entries and the app can choose its destination.
 */
import { pino, type DestinationStream, type Level } from 'pino'
import { describeError } from '../common/describe-error'

export type LogLevel = Level | 'silent'

type LogFn = {
  (obj: object, msg?: string): void
  (msg: string): void
}

export interface Logger {
  readonly debug: LogFn
  readonly info: LogFn
  readonly warn: LogFn
  readonly error: LogFn
  child(bindings: Record<string, unknown>): Logger
  isLevelEnabled(level: Level): boolean
}

export interface LoggerOptions {
  readonly level?: LogLevel
  readonly name?: string
  /** Where lines go; stdout by default. */
  readonly destination?: DestinationStream
}

/**
 * How an `err` field is written: through `describeError`, which reads a thrown value safely. pino's own
 * error serializer reads `message`, `stack` and `cause` directly, so a plugin's error with a throwing
 * getter made the log call itself throw.
 */
const serializers = { err: describeError }

export function createLogger(options: LoggerOptions = {}): Logger {
  const config = { level: options.level ?? 'info', serializers, ...(options.name ? { name: options.name } : {}) }
  return options.destination ? pino(config, options.destination) : pino(config)
}

export interface LogEntry {
  readonly level: Level
  readonly msg?: string
  readonly [key: string]: unknown
}

const levelNames: Record<number, Level> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }

/** A real pino logger whose lines are kept in memory, for tests that assert what was logged. */
export function createMemoryLogger(level: LogLevel = 'debug'): Logger & { readonly entries: LogEntry[] } {
  const entries: LogEntry[] = []
  const destination: DestinationStream = {
    write(line: string) {
      const parsed = JSON.parse(line) as { level: number } & Record<string, unknown>
      entries.push({ ...parsed, level: levelNames[parsed.level] ?? 'info' })
    },
  }
  const logger = pino({ level, serializers }, destination)
  return Object.assign(logger, { entries }) as unknown as Logger & { readonly entries: LogEntry[] }
}

export const silentLogger: Logger = pino({ level: 'silent' })
