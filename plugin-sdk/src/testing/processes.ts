/** Process checks for tests of plugins that run programs (plugins cannot import `node:fs` or `node:process`). */
import fs from 'node:fs'

/**
 * Whether process `pid` is still running: false once it is gone or a zombie (exited, not yet reaped by its
 * new parent). Linux reads /proc; elsewhere signal 0 answers.
 */
export function isProcessRunning(pid: number): boolean {
  if (process.platform === 'linux') {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
      return state !== 'Z' && state !== 'X'
    } catch {
      return false
    }
  }
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** The absolute path of the Node.js running the tests (a real program every test machine has). */
export const nodeExecutable: string = process.execPath
