/**
 * `tailwart/stalwart`: Stalwart v0.16 registry objects (`x:*`) as Pulumi resources, for any
 * Stalwart reachable over HTTP — the generic `StalwartObject`, one typed class per object type,
 * `StalwartConvergence` (reloads, restart, verification) and `StalwartSettings`, which wires a list
 * of object specs to both. The provider reads `stalwart:url` and `stalwart:token` (or
 * `stalwart:user`/`stalwart:password`) from the stack config, or the `STALWART_*` environment.
 *
 * @module tailwart/stalwart
 */
export {
    type AccountScopedObjectOptions,
    StalwartObject,
    type StalwartObjectArgs,
    type StalwartObjectOptions,
} from "./object";
export { ACCOUNT_SCOPED } from "./provider";
export { StalwartConvergence, type StalwartConvergenceArgs, type TrackedObject } from "./convergence";
export type { Readiness } from "./convergence/run";
export { StalwartSettings, type StalwartSettingsArgs, type StalwartObjectSpec } from "./settings";
export * from "./generated";
