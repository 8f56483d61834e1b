/**
 * @atomiton/plugin-sdk: everything a plugin author imports.
 *
 *   import { definePlugin, event, RpcError } from '@atomiton/plugin-sdk'
 *   import { createTestHost } from '@atomiton/plugin-sdk/testing'
 *
 * Plugins depend on this package (and zod) only; the kernel behind it may change without them noticing.
 */
export {
  definePlugin,
  event,
  type PluginDefinition,
  type AnyPluginDefinition,
  type PluginConfig,
  type PluginContext,
  type CallContext,
  type CallOptions,
  type Procedure,
  type ProcedureMap,
  type ProcedureBuilder,
  type EventDefinition,
  type EventMap,
  type EventPayload,
  type ServiceFactories,
  type PluginServices,
  type RateLimit,
  type Contribution,
  type ExtensionPointReader,
} from '@atomiton/core/plugin/definition'
// Contracts: a plugin's API apart from its implementation (see "Contracts" in the README).
export {
  defineContract,
  procedure,
  extensionPoint,
  createExtensionPoint,
  isContract,
  type PluginContract,
  type AnyContract,
  type ApiDescription,
  type ProcedureContract,
  type ProcedureRef,
  type CallArgs,
  type ExtensionPoint,
  type ContractClient,
} from '@atomiton/core/plugin/contract'
export { implement, type ImplementConfig, type ContractHandlers } from '@atomiton/core/plugin/implement'
export type {
  HostServices,
  HostServiceName,
  DeclaredHostServices,
  StoreRecoveries,
  Clock,
  RuntimeInfo,
  PluginManager,
  PluginHook,
  PluginHooks,
} from '@atomiton/core/plugin/context-types'
// Least privilege: the host services a plugin may declare, and the permissions guarding some of them.
export { HOST_ADMIN_PERMISSION, HOST_SERVICE_NAMES, HOST_SERVICE_PERMISSIONS, STORE_RECOVERIES_PERMISSION } from '@atomiton/core/plugin/host-services'
export type {
  PackageService,
  PackageSourceInput,
  PackageInspection,
  InstallRequest,
  InstallResult,
  UninstallRequest,
  UninstallResult,
} from '@atomiton/core/plugin/package-service'
/** The plugin API version this SDK and host implement; a package's `atomiton.api` range must accept it. */
export { PLUGIN_API_VERSION } from '@atomiton/core/plugin/api-version'
export type { PluginInfo, PluginOrigin, PluginState, ToggleOptions, ToggleResult, StateChangeRecord } from '@atomiton/core/plugin/plugin-info'
export type { Caller, CallerKind } from '@atomiton/core/host/caller'
export type { Disposable } from '@atomiton/core/host/disposable'
export type { Logger } from '@atomiton/core/host/logger'
export type { CallInfo, CallOutcome } from '@atomiton/core/host/hooks'
export type { KeyValueStore, StoreFactory } from '@atomiton/core/host/stores/key-value-store'
export type { Catalog, PluginDescription, ProcedureDescription, EventDescription } from '@atomiton/core/host/host-domain'
export type { JsonSchema } from '@atomiton/core/host/json-schema'
export {
  RpcError,
  ErrorCodes,
  isErrorCode,
  type ErrorCode,
  type ErrorShape,
  type ValidationIssue,
  type InvalidParamsData,
} from '@atomiton/core/common/errors'
export type { AtomitonBridge } from '@atomiton/core/common/bridge'
export { createRPCClient, type ClientOptions } from '@atomiton/core/client/client'
export type {
  RpcClient,
  DomainClient,
  ClientView,
  EventsOf,
  InputOf,
  OutputOf,
  Subscription,
  SubscribeOptions,
} from '@atomiton/core/client/types'
// Storage: what plugins need to check permissions and value sizes the way the host's stores do.
export { isGranted } from '@atomiton/core/host/caller'
export { StoreValueError, type StoreRecovery } from '@atomiton/core/host/stores/key-value-store'
export { measureStoredValue, type StoredValueMeasure } from '@atomiton/core/host/stores/value-size'
