/**
 * The wire contract of the workflow plugin lives in the SDK (`@atomiton/plugin-sdk/contracts/workflow`), so
 * other plugins and packages call workflow typed without importing this plugin; this module re-exports it
 * for the plugin's own files.
 */
export * from '@atomiton/plugin-sdk/contracts/workflow'
