/**
 * tailwart's public face: the stack-config contract, the pure plan, and the Pulumi components
 * that turn a plan into resources.
 */
export { GarageBucket } from "./backends/garage/bucket";
export { PostgresDatabase, type PostgresDatabaseArgs } from "./backends/postgres";
export { RedisDatabase, type RedisDatabaseArgs } from "./backends/redis";
export { ACME_DIRECTORIES, ConfigError, type ConfigIssue, parseSettings, Secret, type Settings } from "./config";
export { type GarageFacts, MailDeployment, type MailDeploymentArgs, type PostgresFacts } from "./deployment";
export { containerArgs, labelsOf, type SecretValues } from "./docker/container";
export { CaddyL4Edge, type CaddyL4EdgeArgs } from "./edge/edge";
export { TailscaleSidecar, type TailscaleSidecarArgs } from "./mailbox/sidecar";
export { NETNS_OWNER_LABEL, StalwartMailbox, type StalwartMailboxArgs } from "./mailbox/stalwart";
export { rawConfigFrom } from "./programConfig";
export { buildPlan, type EdgeImagePlan, type Plan, SECRETS, STALWART_ENV, type TailnetAuthPlan } from "./plan";
export type { ContainerSpec, EnvValue, FileSpec, HealthcheckSpec, HostRole, MountSpec, PortSpec, SecretRef, VolumeSpec } from "./spec";
export { TailnetPolicy, type TailnetPolicyArgs } from "./tailnet/policy";

export * from "./stalwart";
export { StalwartConvergence, type StalwartConvergenceArgs } from "./stalwart/convergence";
export { StalwartSettings, type StalwartSettingsArgs } from "./stalwart/settings";
export { type StalwartObjectSpec, stalwartSettingsPlan } from "./stalwart/settingsPlan";
