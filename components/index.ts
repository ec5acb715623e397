/**
 * `tailwart`: the stack-config contract (`parseSettings` → typed `Settings`), the pure plan
 * (`buildPlan`), and the Pulumi components that turn a plan into resources on two hosts.
 * Stalwart's own settings as resources are the second entry point, `tailwart/stalwart`.
 *
 * @module tailwart
 */
export { GarageBucket, type GarageBucketArgs } from "./backends/garage/bucket";
export type { BucketPermissions } from "./backends/garage/inputRules";
export { PostgresDatabase, type PostgresDatabaseArgs } from "./backends/postgres";
export { RedisDatabase, type RedisDatabaseArgs } from "./backends/redis";
export {
    ACME_DIRECTORIES,
    type AcmeChallenge,
    ConfigError,
    type ConfigIssue,
    type Endpoint,
    parseSettings,
    type RawSettings,
    type RedisTarget,
    Secret,
    type Settings,
    type SettingsInput,
} from "./config";
export { type GarageFacts, MailDeployment, type MailDeploymentArgs, type PostgresFacts } from "./deploy/deployment";
export type { SecretValues } from "./deploy/container";
export { CaddyL4Edge, type CaddyL4EdgeArgs } from "./deploy/edge";
export { TailscaleSidecar, type TailscaleSidecarArgs } from "./deploy/sidecar";
export { StalwartMailbox, type StalwartMailboxArgs } from "./deploy/stalwart";
export type { OneInstanceGateArgs } from "./deploy/oneInstanceGate";
export { PlannedContainer, type PlannedContainerArgs, type StartGate } from "./deploy/plannedContainer";
export type { ReplacementKey } from "./deploy/replacementKey";
export {
    type BackupPlan,
    buildPlan,
    type EdgeImagePlan,
    type ImagePlan,
    type Plan,
    type RedisPlan,
    SECRETS,
    type TailnetAuthPlan,
} from "./plan";
export type {
    ContainerSpec,
    EnvValue,
    FileSpec,
    HealthcheckSpec,
    HostRole,
    MountSpec,
    PortSpec,
    SecretRef,
    VolumeSpec,
} from "./plan/spec";
export { TailnetPolicy, type TailnetPolicyArgs } from "./deploy/tailnetPolicy";
export type { AutomationKeyPlan } from "./plan/automationKey";
export type { BackupTargetInput } from "./plan/backupScript";
export type { BackupSettings } from "./config/backup";
export type { BackupSchedule, CronSchedule, IntervalSchedule } from "./config/schedule";
export type { OidcPlan, OperatorPlan, PlannedDnsRecord } from "./plan/operatorPlan";
export type { StalwartObjectSpec as PlannedObjectSpec } from "./plan/stalwartSettings";
export type { DnsRecord } from "./stalwart/dnsRecordsProvider";
