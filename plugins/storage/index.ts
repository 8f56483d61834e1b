/** The storage plugin: namespaced, validated, persistent key-value storage (see README.md). */
export { storagePlugin, createStoragePlugin, type StoragePlugin } from './src/plugin'
export type { StorageOptions } from './src/limits'
export type { ChangedPayload } from '@atomiton/plugin-sdk/contracts/storage'
