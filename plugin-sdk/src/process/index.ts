/**
 * @atomiton/plugin-sdk/process: runs a program with an argument list (never a shell string) in its own process
 * group, with a time limit, capped output and cancellation. For plugins, which may not import
 * `node:child_process`.
 */
export { runProcess, killProcessGroup, type RunProcessOptions, type ProcessResult } from './run-process'
