/**
 * Why a plugin package was refused, as an RpcError that names the package and the rule it broke
 * (`data: { package, rule }`), so the Settings view, the CLI and the logs all say the same thing.
 */
import { RpcError, type ErrorCode } from '../common/errors'

export type PackageRule =
  /** The source: not an absolute folder, not a directory, a symlink inside. */
  | 'source'
  /** The .tgz cannot be read, holds links or devices, or is too large. */
  | 'archive'
  /** package.json missing, not JSON, or its `atomiton` field malformed. */
  | 'manifest'
  /** The `atomiton.api` range does not accept this host's plugin API version. */
  | 'api-range'
  /** The id belongs to a built-in plugin or to another package. */
  | 'id-taken'
  /** The entry file is missing or throws while it is imported. */
  | 'entry-import'
  /** The entry's default export is not a valid plugin definition matching the manifest. */
  | 'definition-invalid'
  /** A plugin the package depends on is not loaded. */
  | 'missing-dependency'
  /** The package's setup failed when it was activated. */
  | 'activation-failed'
  /** `installPlugin` without the exact set of requested permissions. */
  | 'permissions-not-approved'
  /** `installPlugin` with a staging id that is unknown or already used. */
  | 'staging-unknown'
  /** Uninstall of something that is not an installed package. */
  | 'not-installed'

export function packageRefused(pkg: string, rule: PackageRule, message: string, code: ErrorCode = 'INVALID_PARAMS'): RpcError {
  return new RpcError(code, `Package ${pkg} refused (${rule}): ${message}`, { package: pkg, rule })
}

/** The rule of a refusal (undefined for any other error). */
export function ruleOf(error: unknown): string | undefined {
  if (!(error instanceof RpcError)) return undefined
  const data = error.data as { rule?: unknown } | undefined
  return typeof data?.rule === 'string' ? data.rule : undefined
}
