/**
 * The pure heart of the program: Settings in, everything that lands on each host out, as plain
 * data. MailDeployment turns a Plan into Pulumi resources; `npm run plan` prints it.
 */
import type { Settings } from "../config";
import { CADDY_BUILD } from "./edgeImage";
import { renderCaddyJson } from "./caddyJson";
import { edgeSpec } from "./edgeSpec";
import { renderConfigJson } from "./configJson";
import { ConfigError } from "../config";
import type { BackupPlan, EdgeImagePlan, ImagePlan, Plan, TailnetAuthPlan } from "./types";
import { dnsCredentialEnv, dnsCredentialSecret, MANAGEMENT_PORT, PLAN_SECRETS, STALWART_ENV } from "../topology";
import { sidecarSpec, stalwartSpec } from "./mailboxSpec";
import { type EnvValue, secretRef } from "./spec";
import { checkSettingsPlan } from "./checkSpecs";
import { dnsCredentialFields, type StalwartObjectSpec, stalwartSettingsPlan } from "./stalwartSettings";
import { renderAclHujson } from "./acl";
import { operatorSpecs } from "./operatorSettings";
import { type OperatorPlan, operatorPlan } from "./operatorPlan";
import { specListIssues } from "./specList";
import { BACKUP_BUILD, backupImageName } from "./backupImage";
import { targetDescription } from "./backupScript";
import { backupSpec, backupTargetInput } from "./backupSpec";
import { describeSchedule } from "../config/schedule";

/** Names of the SecretRefs in container env, and where the Pulumi shell gets each value. */
export const SECRETS = PLAN_SECRETS;

export type { BackupPlan, EdgeImagePlan, ImagePlan, Plan, RedisPlan, TailnetAuthPlan } from "./types";

/** The x:* settings objects, refused as config issues wherever the provider's check would refuse them at preview. */
function settingsObjects(s: Settings): { objects: StalwartObjectSpec[]; operator?: OperatorPlan } {
    if (!s.stalwart.manageSettings) return { objects: [] };
    const objects = [...stalwartSettingsPlan(s), ...operatorSpecs(s)];
    const listIssues = specListIssues(objects, s.oidc !== undefined);
    // a list with unknown types or dangling refs cannot be checked object by object
    if (listIssues.length > 0) throw new ConfigError(listIssues, s.stack);
    const operator = operatorPlan(s, objects);
    const key = {
        key: "automation-key",
        objectType: "x:ApiKey",
        properties: operator.automationKey.properties,
        source: "stalwart (the automation API key)",
    };
    const issues = checkSettingsPlan([...objects, key]);
    if (issues.length > 0) throw new ConfigError(issues, s.stack);
    return { objects, operator };
}

function mailboxPlan(s: Settings): Plan["mailbox"] {
    const retain = !s.allowDataLoss;
    const sidecarName = s.mailbox.tailscaleHostname;
    const configJson = renderConfigJson({
        host: s.postgres.host,
        port: s.postgres.port,
        database: s.postgres.database,
        user: s.postgres.role,
        passwordEnv: STALWART_ENV.dbPassword,
        useTls: s.postgres.sslmode !== "disable",
    });
    return {
        dockerHost: s.mailbox.dockerHost,
        fqdn: s.mailboxFqdn,
        sidecar: sidecarSpec({
            containerName: sidecarName,
            image: s.mailbox.tailscaleImage,
            hostname: s.mailbox.tailscaleHostname,
            tags: s.mailbox.tags,
            auth: s.tailscale.auth,
            ephemeral: s.tailscale.ephemeral,
            stateVolume: s.mailbox.stateVolume,
            healthAddress: s.mailbox.healthAddress,
        }),
        stalwart: stalwartSpec({
            containerName: s.stalwart.containerName,
            image: s.stalwart.image,
            sidecarContainer: sidecarName,
            dataVolume: s.mailbox.dataVolume,
            configVolume: s.mailbox.configVolume,
            configJson,
            dbPasswordEnv: STALWART_ENV.dbPassword,
            env: stalwartEnv(s),
        }),
        volumes: [
            { host: "mailbox", name: s.mailbox.dataVolume, retain },
            // config.json is rendered anew on every deploy; the volume only keeps Docker from orphaning one per recreate
            { host: "mailbox", name: s.mailbox.configVolume, retain: false },
            // tailscaled state: losing it only re-registers the node, so it never blocks a destroy
            { host: "mailbox", name: s.mailbox.stateVolume, retain: false },
            // backups outlive the mail they copy unless the stack allows data loss
            ...(s.backup?.target.kind === "volume"
                ? [{ host: "mailbox" as const, name: s.backup.target.volume, retain }]
                : []),
        ],
        configJson,
    };
}

/** The Stalwart container's env beyond the DB password: values, and secrets by name. */
function stalwartEnv(s: Settings): Record<string, EnvValue> {
    return {
        [STALWART_ENV.publicUrl]: s.stalwart.publicUrl,
        [STALWART_ENV.s3AccessKey]: secretRef("garageAccessKeyId"),
        [STALWART_ENV.s3SecretKey]: secretRef("garageSecretAccessKey"),
        ...(s.stalwart.recoveryAdmin ? { [STALWART_ENV.recoveryAdmin]: secretRef("stalwartRecoveryAdmin") } : {}),
        // the relay's password: x:MtaRoute's authSecret names this variable
        ...(s.smarthost?.password ? { [STALWART_ENV.smarthostPassword]: secretRef("smarthostPassword") } : {}),
        // dns-01 credentials: x:DnsServer names these variables, so the values stay out of Stalwart's database
        ...Object.fromEntries(
            dnsCredentialFields(s).map((f) => [dnsCredentialEnv(f), secretRef(dnsCredentialSecret(f))]),
        ),
    };
}

function backupPlan(s: Settings, configJson: string): BackupPlan | undefined {
    const b = s.backup;
    if (!b) return undefined;
    const image: ImagePlan = b.image
        ? { kind: "prebuilt", name: b.image }
        : {
              kind: "build",
              name: backupImageName(s.stalwart.image),
              context: BACKUP_BUILD.context,
              dockerfile: BACKUP_BUILD.dockerfile,
              args: { STALWART_IMAGE: s.stalwart.image, ...BACKUP_BUILD.args },
          };
    const { host, port, database, role, sslmode } = s.postgres;
    const garage = { s3Endpoint: s.garage.s3Endpoint, region: s.garage.region };
    const target = backupTargetInput(b, garage);
    return {
        schedule: { text: b.schedule.text, description: describeSchedule(b.schedule) },
        retention: b.retention,
        targetDescription: targetDescription(target),
        target,
        image,
        container: backupSpec({
            stack: s.stack,
            backup: b,
            image: image.name,
            sidecarContainer: s.mailbox.tailscaleHostname,
            stalwartContainer: s.stalwart.containerName,
            configJson,
            postgres: { host, port, database, role, sslmode },
            garage,
        }),
    };
}

function edgePlan(s: Settings): Plan["edge"] {
    const caddyJson = renderCaddyJson({
        upstreamHost: s.mailboxFqdn,
        ports: s.edge.ports,
        proxyProtocol: s.edge.proxyProtocol,
    });
    const { CADDY_VERSION, CADDY_L4_VERSION } = CADDY_BUILD.args;
    const image: EdgeImagePlan = s.edge.image
        ? { kind: "prebuilt", name: s.edge.image }
        : {
              kind: "build",
              name: `tailwart/caddy-l4:${CADDY_VERSION}-l4-${CADDY_L4_VERSION}`,
              context: CADDY_BUILD.context,
              dockerfile: CADDY_BUILD.dockerfile,
              args: { ...CADDY_BUILD.args },
          };
    return {
        dockerHost: s.edge.dockerHost,
        caddy: edgeSpec({
            containerName: s.edge.containerName,
            image: image.name,
            ports: s.edge.ports,
            caddyJson,
            dataVolume: s.edge.dataVolume,
            dns: s.edge.dns,
        }),
        image,
        volumes: [{ host: "edge", name: s.edge.dataVolume, retain: false }],
        caddyJson,
    };
}

function tailnetAuth(s: Settings): TailnetAuthPlan {
    const oauthClientId = s.tailscale.oauthClientId === undefined ? {} : { oauthClientId: s.tailscale.oauthClientId };
    if (s.tailscale.auth === "oauth")
        return { kind: "oauth", ephemeral: s.tailscale.ephemeral, tags: s.mailbox.tags, ...oauthClientId };
    return {
        kind: "tailnetKey",
        ephemeral: s.tailscale.ephemeral,
        preauthorized: true,
        reusable: false,
        expirySeconds: 24 * 3600,
        tags: s.mailbox.tags,
        description: `tailwart ${s.stack} ${s.mailbox.tailscaleHostname}`,
        ...oauthClientId,
    };
}

function tailnetPlan(s: Settings): Plan["tailnet"] {
    const redis = s.endpoints.redis;
    return {
        auth: tailnetAuth(s),
        aclHujson: renderAclHujson({
            stalwartTags: s.mailbox.tags,
            edgeTags: s.edge.tags,
            mailPorts: s.edge.ports,
            operators: s.tailscale.operators,
            managementPort: MANAGEMENT_PORT,
            tagOwners: s.tailscale.tagOwners,
            backends: [
                { name: "postgres", dst: s.postgres.host, ports: [s.postgres.port] },
                ...(redis ? [{ name: "redis", dst: redis.host, ports: [redis.port] }] : []),
                { name: "garage-s3", dst: s.endpoints.garageS3.host, ports: [s.endpoints.garageS3.port] },
            ],
        }),
    };
}

function backendsPlan(s: Settings): Plan["backends"] {
    const redis = s.endpoints.redis;
    const { host, port, database, role, adminUser, sslmode } = s.postgres;
    const { s3Endpoint, adminEndpoint, bucket, keyName, region } = s.garage;
    return {
        postgres: { host, port, database, role, adminUser, sslmode },
        redis: { url: s.redis.url, ...(redis ? { host: redis.host, port: redis.port, db: redis.db } : {}) },
        garage: { s3Endpoint, adminEndpoint, bucket, keyName, region },
    };
}

/** Settings in, everything that lands on each host out, as plain data. */
export function buildPlan(s: Settings): Plan {
    const { objects, operator } = settingsObjects(s);
    const mailbox = mailboxPlan(s);
    const backup = backupPlan(s, mailbox.configJson);
    return {
        stack: s.stack,
        warnings: s.warnings,
        retainData: !s.allowDataLoss,
        mailbox,
        edge: edgePlan(s),
        tailnet: tailnetPlan(s),
        backends: backendsPlan(s),
        ...(backup ? { backup } : {}),
        stalwart: {
            image: s.stalwart.image,
            publicUrl: s.stalwart.publicUrl,
            managementUrl: s.stalwart.managementUrl,
            acmeDirectory: s.acme.directoryUrl,
            objects,
            ...(operator ? { operator } : {}),
        },
    };
}
