/**
 * A browser-mode-like server process for the fault tests: the real host with the hostile plugin behind
 * the real WebSocket server on 127.0.0.1. It prints `READY <url>` once it listens. Node's default for an
 * unhandled rejection ends the process, which is exactly what the test watches for.
 *
 *   TOKEN=<token> ORIGIN=<origin> node hostile-server.js
 */
import { createHost } from '../../src/host/create-host'
import { createLogger } from '../../src/host/logger'
import { hostilePlugin } from '../../src/transports/test-support/hostile-plugin'
import { attachWebSocketHost } from '../../src/transports/websocket/server'

const token = process.env['TOKEN'] ?? ''
const origin = process.env['ORIGIN'] ?? ''
const logger = createLogger({ level: 'warn' })
const host = await createHost({ plugins: [hostilePlugin()], rateLimit: false, logger })
const server = await attachWebSocketHost({ server: 0, host, token, allowedOrigins: (o) => o === origin, grants: ['*'], logger })
process.stdout.write(`READY ${server.url}\n`)
