/**
 * Stalwart v0.16 registry objects as Pulumi resources: the generic x:* provider and its typed
 * classes, the convergence step that makes stored settings effective, and the settings component
 * that wires a list of object specs to both.
 */
export { type AccountScopedObjectOptions, StalwartObject, type StalwartObjectArgs, type StalwartObjectOptions, secretProperties } from "./object";
export { ACCOUNT_SCOPED, defaultProviderVersion, PROVIDER_CODE_VERSION, stalwartProvider } from "./provider";
export { resolveConnection, type StalwartConfig, type StalwartConnection } from "./credentials";
export { jmapRequest, type JmapOptions, type JmapResult, type MethodCall } from "./jmap";
export { methodErrorMessage, setErrorMessage } from "./errors";
export { planConvergence, StalwartConvergence, type StalwartConvergenceArgs, type TrackedObject } from "./convergence";
export type { Readiness } from "./convergence/run";
export { CONTENT_KEY, StalwartSettings, type StalwartSettingsArgs, volatileProperties } from "./settings";
export * from "./generated";
