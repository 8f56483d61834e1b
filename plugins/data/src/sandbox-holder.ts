/**
 * The data pack's one warm sandbox for map and filter expressions, made on first use, replaced when the memory
 * setting changes, disposed with the plugin.
 */
import { createSandbox, type Sandbox } from '@atomiton/plugin-sdk/sandbox'

export class SandboxHolder {
  private current: { memoryMb: number; sandbox: Promise<Sandbox> } | undefined
  private closed = false

  get(memoryMb: number): Promise<Sandbox> {
    if (this.closed) return Promise.reject(new Error('The data plugin was disabled'))
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
