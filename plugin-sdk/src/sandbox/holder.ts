/**
 * One warm sandbox for a plugin, made on first use and replaced when its memory size changes (a sandbox's
 * memory is fixed when it is made); `dispose()` (on disable) releases it and refuses further use.
 */
import { createSandbox } from './quickjs-sandbox'
import type { Sandbox } from './types'

export class SandboxHolder {
  private current: { memoryMb: number; sandbox: Promise<Sandbox> } | undefined
  private closed = false

  /** `owner` names the plugin in the error a call gets after `dispose()`. */
  constructor(private readonly owner: string) {}

  get(memoryMb: number): Promise<Sandbox> {
    if (this.closed) return Promise.reject(new Error(`The ${this.owner} plugin was disabled`))
    if (this.current?.memoryMb !== memoryMb) {
      this.release()
      this.current = { memoryMb, sandbox: createSandbox({ memoryBytes: memoryMb * 1024 * 1024 }) }
    }
    return this.current.sandbox
  }

  dispose(): void {
    this.closed = true
    this.release()
  }

  private release(): void {
    const previous = this.current
    this.current = undefined
    void previous?.sandbox.then((sandbox) => sandbox.dispose(), () => {})
  }
}
