import { z } from 'zod'

export const MAX_RESPONSE_BYTES = 100 * 1024 * 1024

/**
 * A host pattern: `api.example.com` (that host, any port), `*.example.com` (its subdomains, not itself),
 * `127.0.0.1:8080` or `[::1]:8080` (one port).
 */
export const HOST_PATTERN = /^(\*\.)?([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:\d{1,5})?$/i

/** The http pack's settings: the person decides which hosts node requests may reach (none by default). */
export const httpSettings = z.object({
  allowedHosts: z
    .array(z.string().max(260).regex(HOST_PATTERN, 'A host such as "api.example.com", "*.example.com" or "127.0.0.1:8080"'))
    .max(500)
    .default([])
    .describe(
      'Hosts that HTTP request nodes may reach: "api.example.com" (any port), "*.example.com" (its subdomains), ' +
        '"127.0.0.1:8080" (one port). None by default: a request to any other host is refused, redirects included.',
    ),
  maxResponseBytes: z
    .number()
    .int()
    .min(1024)
    .max(MAX_RESPONSE_BYTES)
    .default(10 * 1024 * 1024)
    .describe('The largest response body a request node reads (bytes); a larger one fails with RESPONSE_TOO_LARGE.'),
  maxRedirects: z.number().int().min(0).max(20).default(5).describe('Redirects followed per request (each checked against the allowed hosts).'),
})

export type HttpSettings = z.output<typeof httpSettings>
