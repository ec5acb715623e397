/** Stalwart v0.16 registry objects as Pulumi resources: the generic x:* provider and its typed classes. */
export { StalwartObject, type StalwartObjectArgs, type StalwartObjectOptions, secretProperties } from "./object";
export { ACCOUNT_SCOPED, defaultProviderVersion, PROVIDER_CODE_VERSION, stalwartProvider } from "./provider";
export { resolveConnection, type StalwartConfig, type StalwartConnection } from "./credentials";
export { jmapRequest, type JmapOptions, type JmapResult, type MethodCall } from "./jmap";
export { methodErrorMessage, setErrorMessage } from "./errors";
export * from "./generated";
