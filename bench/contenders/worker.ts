/**
 * Starting a server worker and waiting for its first message (`{ ready }`, `{ url }` or `{ error }`, with the
 * worker's OS thread id as `tid`), then pinning it to the server CPU (placement.ts).
 */
import { once } from 'node:events'
import { Worker, type TransferListItem } from 'node:worker_threads'
import { workerScript } from '../paths'
import { pinServerThread } from '../placement'

export interface StartedWorker<M> {
  readonly worker: Worker
  readonly hello: M
  /** Calls `onFailure` if the worker dies or throws while it serves. */
  onFailure(listener: (error: Error) => void): void
  terminate(): Promise<void>
}

export async function startWorker<M extends object>(
  script: string,
  workerData: unknown,
  transferList: readonly TransferListItem[] = [],
): Promise<StartedWorker<M>> {
  const worker = new Worker(workerScript(script), { workerData, transferList: [...transferList] })
  let terminating = false
  const [hello] = (await Promise.race([
    once(worker, 'message'),
    once(worker, 'error').then(([error]) => Promise.reject(error as Error)),
    once(worker, 'exit').then(([code]) => Promise.reject(new Error(`worker ${script} exited with ${String(code)}`))),
  ])) as [(M | { error: string }) & { tid?: number }]
  if ('error' in hello) {
    await worker.terminate()
    throw new Error(hello.error)
  }
  const release = pinServerThread(hello.tid)
  return {
    worker,
    hello,
    onFailure(listener) {
      worker.on('error', listener)
      worker.on('exit', (code) => {
        if (!terminating) listener(new Error(`worker ${script} exited with ${code}`))
      })
    },
    async terminate() {
      terminating = true
      await worker.terminate()
      release()
    },
  }
}

/** Correlates replies with calls by id; rejects everything pending when the transport fails. */
export class Pending<T> {
  private next = 0
  private readonly waiting = new Map<number, { resolve(value: T): void; reject(error: Error): void }>()

  open(): { id: number; promise: Promise<T> } {
    const id = this.next++
    const promise = new Promise<T>((resolve, reject) => this.waiting.set(id, { resolve, reject }))
    return { id, promise }
  }

  settle(id: number, value: T): void {
    const entry = this.waiting.get(id)
    this.waiting.delete(id)
    entry?.resolve(value)
  }

  failAll(error: Error): void {
    for (const entry of this.waiting.values()) entry.reject(error)
    this.waiting.clear()
  }
}
