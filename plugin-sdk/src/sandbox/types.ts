/** The sandbox's public contract (shared with the engine's expressions and the code and data packs). */
export interface SandboxLimits {
  /** Wall-clock time one evaluation may run (ms). */
  readonly timeoutMs: number
  /** The heap of the sandbox's QuickJS runtime, everything included (bytes). */
  readonly memoryBytes: number
  /** QuickJS's stack (bytes; at most 256 KiB, so it stays inside the host's own stack). */
  readonly stackBytes: number
}

export interface EvaluateOptions {
  /** Cancels the evaluation: before it starts at once, while it runs at QuickJS's next interrupt check. */
  readonly signal?: AbortSignal
  /** This evaluation's time limit instead of the sandbox's. */
  readonly timeoutMs?: number
  /** The name errors give the code (`data.filename`); default `code.js`. */
  readonly filename?: string
}

export interface Sandbox {
  /** Runs `code` as the body of a function with `globals` (JSON values) in scope; returns its JSON result. */
  evaluate(code: string, globals?: Readonly<Record<string, unknown>>, options?: EvaluateOptions): Promise<unknown>
  dispose(): void
}
