/**
 * @atomiton/plugin-sdk/sandbox: runs a person's JavaScript in a WebAssembly QuickJS sandbox, with time,
 * memory and stack limits, cancellation, JSON in and out, and errors that say the line. See
 * plugin-sdk/README.md, "Running a person's code".
 *
 *   import { createSandbox } from '@atomiton/plugin-sdk/sandbox'
 *   const sandbox = await createSandbox({ timeoutMs: 500 })
 *   await sandbox.evaluate('return items.filter((item) => item.ok).length', { items }) // 2
 */
export type { SandboxLimits, EvaluateOptions, Sandbox } from './types'
export type { ScriptErrorData } from './script-error'
export { createSandbox, DEFAULT_LIMITS, LIMIT_BOUNDS } from './quickjs-sandbox'
export { SandboxHolder } from './holder'
