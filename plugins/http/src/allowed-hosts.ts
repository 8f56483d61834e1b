/** Whether a URL's host is one the person allowed (see `HOST_PATTERN` in settings.ts). */
const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' }

function splitPattern(pattern: string): { host: string; port: string | undefined } {
  const lower = pattern.toLowerCase()
  const portMatch = /:(\d{1,5})$/.exec(lower)
  // an IPv6 literal keeps its brackets, as URL.hostname does
  if (portMatch !== null && (!lower.startsWith('[') || lower.includes(']:'))) {
    return { host: lower.slice(0, portMatch.index), port: portMatch[1] }
  }
  return { host: lower, port: undefined }
}

export function isHostAllowed(url: URL, allowedHosts: readonly string[]): boolean {
  const hostname = url.hostname.toLowerCase()
  const port = url.port === '' ? DEFAULT_PORTS[url.protocol] : url.port
  return allowedHosts.some((pattern) => {
    const allowed = splitPattern(pattern)
    if (allowed.port !== undefined && allowed.port !== port) return false
    if (allowed.host.startsWith('*.')) {
      const suffix = allowed.host.slice(1) // ".example.com"
      return hostname.endsWith(suffix) && hostname.length > suffix.length
    }
    return hostname === allowed.host
  })
}
