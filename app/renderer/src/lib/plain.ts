/**
 * Vue's reactive proxies cannot cross a bridge: Electron's IPC (structured clone) refuses a Proxy. Every
 * value a store sends that came from reactive state goes through `plain` first: a deep copy of arrays and
 * plain objects with the proxies unwrapped (other values, such as a Date, are unwrapped and kept).
 */
import { toRaw } from 'vue'

export function plain<T>(value: T): T {
  const raw = toRaw(value)
  if (Array.isArray(raw)) return raw.map((item) => plain(item)) as T
  if (typeof raw === 'object' && raw !== null && Object.getPrototypeOf(raw) === Object.prototype) {
    const copy: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(raw)) copy[key] = plain(item)
    return copy as T
  }
  return raw
}
