/**
 * tailwart's public face: the stack-config contract, the pure plan, and the Pulumi components
 * that turn a plan into resources.
 */
export { GarageBucket } from "./backends/garage/bucket";
export { PostgresDatabase, type PostgresDatabaseArgs } from "./backends/postgres";
export { RedisDatabase, type RedisDatabaseArgs } from "./backends/redis";
export { ACME_DIRECTORIES, ConfigError, type ConfigIssue, parseSettings, Secret, type Settings } from "./config";
export { type GarageFacts, MailDeployment, type MailDeploymentArgs, type PostgresFacts } from "./deploy/deployment";
export { containerArgs, labelsOf, type SecretValues } from "./deploy/container";
export { CaddyL4Edge, type CaddyL4EdgeArgs } from "./deploy/edge";
export { TailscaleSidecar, type TailscaleSidecarArgs } from "./deploy/sidecar";
export { StalwartMailbox, type StalwartMailboxArgs } from "./deploy/stalwart";
export { PlannedContainer, type PlannedContainerArgs } from "./deploy/plannedContainer";
export { rawConfigFrom } from "./config/programConfig";
export { buildPlan, type EdgeImagePlan, type Plan, SECRETS, type TailnetAuthPlan } from "./plan";
export { STALWART_ENV } from "./topology";
export type { ContainerSpec, EnvValue, FileSpec, HealthcheckSpec, HostRole, MountSpec, PortSpec, SecretRef, VolumeSpec } from "./plan/spec";
export { TailnetPolicy, type TailnetPolicyArgs } from "./deploy/tailnetPolicy";

export * from "./stalwart";
export { StalwartConvergence, type StalwartConvergenceArgs } from "./stalwart/convergence";
export { StalwartSettings, type StalwartSettingsArgs } from "./stalwart/settings";
export { type StalwartObjectSpec, stalwartSettingsPlan } from "./plan/stalwartSettings";
