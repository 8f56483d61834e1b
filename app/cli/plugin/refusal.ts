/** A refusal of the installer as one line for a person: its message, which names the package and the rule. */
import { RpcError } from '@atomiton/core/common/errors'

export function describeRefusal(error: unknown): string {
  if (error instanceof RpcError) return `${error.message} [${error.code}]`
  return error instanceof Error ? error.message : String(error)
}
