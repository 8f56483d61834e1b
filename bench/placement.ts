/**
 * Where the threads of a cross-thread case run: the client (this main thread) on one CPU, every server
 * thread (a worker) on another, as a renderer and Electron's main process would be.
 *
 * Why: on a small VM the scheduler places a new worker either on the client's CPU or on the other one,
 * and keeps it there for the whole case. The two placements give very different round trips (measured on
 * the 2-vCPU machine of docs/benchmarks.md: a raw postMessage echo took ~22 µs when both threads shared a
 * vCPU, ~70 µs when they did not, as waking an idle vCPU costs a VM exit), and each contender of a case has
 * its own worker, so the luck of the draw swamped the differences being measured: two contenders of one
 * case could be 3x apart for that reason alone. Pinning makes every contender's server run where the
 * others' do.
 *
 * Node has no affinity API, so this uses `taskset` on a thread id a worker reads from /proc/thread-self.
 * Linux with taskset and two CPUs or more only; elsewhere nothing is pinned (and `describePlacement` says so).
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readlinkSync } from 'node:fs'
import { availableParallelism } from 'node:os'

const CLIENT_CPU = 0
const SERVER_CPU = 1

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

const supported = process.platform === 'linux' && availableParallelism() >= 2 && existsSync('/proc/thread-self') && hasTaskset()
const allCpus = `0-${availableParallelism() - 1}`
let pinnedServers = 0

function taskset(cpus: string, tid: number): boolean {
  try {
    execFileSync('taskset', ['-p', '-c', cpus, String(tid)], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** The OS thread id of the calling thread (worker or main), or undefined where /proc/thread-self does not exist. */
export function threadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
    return Number.isInteger(tid) ? tid : undefined
  } catch {
    return undefined
  }
}

/** Pins a server thread (and, while any is pinned, the client thread); returns the function that releases it. */
export function pinServerThread(tid: number | undefined): () => void {
  if (!supported || tid === undefined || !taskset(String(SERVER_CPU), tid)) return () => undefined
  if (pinnedServers++ === 0) taskset(String(CLIENT_CPU), process.pid)
  let released = false
  return () => {
    if (released) return
    released = true
    // The client thread goes back to every CPU once no server is pinned (in-process, boot and tsc cases).
    if (--pinnedServers === 0) taskset(allCpus, process.pid)
  }
}

export function describePlacement(): string {
  return supported
    ? `cross-thread cases: client thread on CPU ${CLIENT_CPU}, server threads on CPU ${SERVER_CPU} (taskset)`
    : 'threads not pinned (no taskset, not Linux, or a single CPU)'
}
