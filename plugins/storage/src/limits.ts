/** The plugin's fixed rules (part of its contract) and its one option. */
export { DEFAULT_LIST_LIMIT, MAX_BATCH, MAX_KEY_LENGTH, NAMESPACE_PATTERN } from '@atomiton/plugin-sdk/contracts/storage'

/** Default largest value: 1 MiB, measured as the bytes the store keeps (see `measureStoredValue`). */
export const DEFAULT_MAX_VALUE_BYTES = 1024 * 1024

export interface StorageOptions {
  /** Largest value, in bytes of its stored form. Default 1 MiB. */
  readonly maxValueBytes?: number
}

export interface StorageLimits {
  readonly maxValueBytes: number
}

export function resolveLimits(options: StorageOptions = {}): StorageLimits {
  const maxValueBytes = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES
  if (!Number.isSafeInteger(maxValueBytes) || maxValueBytes < 1) {
    throw new TypeError(`storage: maxValueBytes must be a positive integer, got ${String(maxValueBytes)}`)
  }
  return { maxValueBytes }
}
