/** Worker: serves one contender's server half on the MessagePort it is given (see contenders/servers.ts). */
import { parentPort, workerData } from 'node:worker_threads'
import { threadId } from '../placement'
import { portServers, type PortServerData } from '../contenders/servers'

const data = workerData as PortServerData
try {
  await portServers[data.kind](data)
  parentPort?.postMessage({ ready: true, tid: threadId() })
} catch (error) {
  parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) })
}
