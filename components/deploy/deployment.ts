/**
 * The whole mail system from one Settings value: buildPlan computes what lands where, and this
 * component only turns that plan into resources on the right hosts and wires the secrets in.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { GarageBucket } from "../backends/garage/bucket";
import { PostgresDatabase } from "../backends/postgres";
import { RedisDatabase } from "../backends/redis";
import type { Settings } from "../config";
import { CaddyL4Edge } from "./edge";
import { TailscaleSidecar } from "./sidecar";
import { StalwartMailbox, type StalwartMailboxArgs } from "./stalwart";
import { buildPlan, type Plan } from "../plan";
import { isSecret } from "../config/secret";
import { OPERATIONAL_READINESS } from "../stalwart/convergence/run";
import { StalwartSettings } from "../stalwart/settings";
import { TailnetPolicy } from "./tailnetPolicy";
import { backupJob } from "./backup";
import { dnsCredentialFields, type StalwartObjectSpec } from "../plan/stalwartSettings";
import { dnsCredentialSecret } from "../topology";
import type { DnsRecord } from "../stalwart/dnsRecords";
import { operatorResources, withPasswordHashes } from "./operator";

/** Arguments of {@link MailDeployment}. */
export interface MailDeploymentArgs {
    /** the checked settings: parseSettings of a stack config or of an object built in code */
    settings: Settings;
}

/** Where Stalwart's database is, as MailDeployment exports it. */
export interface PostgresFacts {
    /** the server's name */
    host: pulumi.Output<string>;
    /** the server's port */
    port: pulumi.Output<number>;
    /** the database's name */
    database: pulumi.Output<string>;
    /** the login role's name */
    role: pulumi.Output<string>;
    /** secret */
    password: pulumi.Output<string>;
}

/** Where Stalwart's blobs are, as MailDeployment exports it. */
export interface GarageFacts {
    /** the bucket's global alias */
    bucket: pulumi.Output<string>;
    /** Garage's id of the bucket */
    bucketId: pulumi.Output<string>;
    /** the access key's id */
    accessKeyId: pulumi.Output<string>;
    /** secret */
    secretAccessKey: pulumi.Output<string>;
    /** the S3 API's URL */
    s3Endpoint: pulumi.Output<string>;
}

/** A config secret handed to Pulumi as a secret, or undefined when the stack doesn't set it. */
function secretOf(s: { reveal(): string } | undefined): pulumi.Output<string> | undefined {
    return s === undefined ? undefined : pulumi.secret(s.reveal());
}

/** The docker provider's TLS material for a tcp:// host (config rules refuse tcp:// without it); the key stays a Pulumi secret. */
function dockerTlsArgs(
    tls: Settings["mailbox"]["dockerTls"],
): Pick<docker.ProviderArgs, "caMaterial" | "certMaterial" | "keyMaterial"> {
    if (!tls) return {};
    return { caMaterial: secretOf(tls.caCert), certMaterial: secretOf(tls.cert), keyMaterial: secretOf(tls.key) };
}

/** `docker restart` over the mailbox's docker host; over tcp:// the CLI verifies TLS with the certificates in DOCKER_CERT_PATH (README, Deploy). */
const restartArgv = (dockerHost: string, tls: boolean) => (container: string) => [
    "docker",
    "-H",
    dockerHost,
    ...(tls ? ["--tlsverify"] : []),
    "restart",
    container,
];

/**
 * The plan carries config secrets inside x:* properties as Secret values (redis.url with a password,
 * acme.dnsProvider credentials), which print masked; Pulumi gets each one as a pulumi.secret, so it
 * is encrypted in state and the object's outputs stay secret too.
 */
function withPulumiSecrets(spec: StalwartObjectSpec): StalwartObjectSpec {
    let found = false;
    const reveal = (value: unknown): unknown => {
        if (isSecret(value)) {
            found = true;
            return pulumi.secret(value.reveal());
        }
        if (Array.isArray(value)) return value.map(reveal);
        if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
            return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)]));
        }
        return value;
    };
    const properties = reveal(spec.properties) as Record<string, unknown>;
    return found ? { ...spec, properties, secretOutputs: true } : spec;
}

/** A credential as the config holds it: text, or a SecretKey `{"@type": "Value", secret}` object. */
function credentialText(value: unknown): string {
    if (typeof value === "object" && value !== null && (value as { "@type"?: unknown })["@type"] === "Value")
        return String((value as { secret?: unknown }).secret);
    if (typeof value === "string") return value;
    throw new Error(
        'acme.dnsProvider: a credential must be text or {"@type": "Value", secret: …}; set it with `pulumi config set --secret --path tailwart:acme.dnsProvider.<field> <value>`',
    );
}

/** The acme.dnsProvider credentials the Stalwart container carries as env (plan.ts), as Pulumi secrets. */
function dnsCredentialSecrets(s: Settings): Record<string, pulumi.Output<string>> {
    return Object.fromEntries(
        dnsCredentialFields(s).map((field) => {
            const value = s.acme.dnsProvider?.[field];
            return [
                dnsCredentialSecret(field),
                pulumi.secret(credentialText(isSecret(value) ? value.reveal() : value)),
            ];
        }),
    );
}

/** Where the one-instance gate looks for sessions of Stalwart's role: as the admin the postgresql provider uses. */
function oneInstanceGate(s: Settings, plan: Plan, role: pulumi.Output<string>): StalwartMailboxArgs["oneInstance"] {
    const pg = plan.backends.postgres;
    return {
        host: pg.host,
        port: pg.port,
        sslmode: pg.sslmode,
        role,
        adminUser: pg.adminUser,
        adminPassword: secretOf(s.postgres.adminPassword),
        drainTimeoutSeconds: s.stalwart.drainTimeoutSeconds,
        dockerHost: plan.mailbox.dockerHost,
    };
}

/**
 * The whole mail system from one {@link Settings} value: the Tailscale sidecar and Stalwart on the
 * mailbox host, Caddy + caddy-l4 on the edge host (each through its own docker provider), the
 * Postgres role and database, the Redis logical DB, the Garage bucket and key, the tailnet policy
 * fragment, and Stalwart's own x:* settings with their convergence.
 */
export class MailDeployment extends pulumi.ComponentResource {
    /** the plan the resources were made from (plain data; config secrets in it are Secret values, printed masked) */
    public readonly plan: Plan;
    /** `<tailscaleHostname>.<tailnet>`: where the edge and the operators reach Stalwart */
    declare public readonly mailboxFqdn: pulumi.Output<string>;
    /** the edge's rendered caddy.json */
    declare public readonly caddyJson: pulumi.Output<string>;
    /** Stalwart's rendered config.json (the datastore only; the password is an env reference) */
    declare public readonly configJson: pulumi.Output<string>;
    /** the tailnet policy fragment to merge, HuJSON */
    declare public readonly aclHujson: pulumi.Output<string>;
    /** the ACME directory Stalwart is to use: staging on dev, production on prod */
    declare public readonly acmeDirectory: pulumi.Output<string>;
    /** Stalwart's database */
    declare public readonly postgres: PostgresFacts;
    /** Stalwart's Redis */
    declare public readonly redis: {
        /** the URL, a secret when it holds a password */
        url: pulumi.Output<string>;
    };
    /** Stalwart's bucket */
    declare public readonly garage: GarageFacts;
    /** spec key → x:* object id (empty when stalwart.manageSettings is false) */
    declare public readonly stalwartObjects: pulumi.Output<Record<string, string>>;
    /** changes that still need a Stalwart restart (empty once converged) */
    declare public readonly pendingRestart: pulumi.Output<string[]>;
    /** domain name → the records to publish there, read back from Stalwart after the convergence */
    declare public readonly dnsRecords: pulumi.Output<Record<string, DnsRecord[]>>;
    /** the automation API key the first up minted (secret): set `stalwart:token` from it, then drop the recovery admin */
    declare public readonly stalwartApiKey: pulumi.Output<string | undefined>;

    constructor(name: string, args: MailDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tailwart:index:MailDeployment", name, {}, opts);
        const s = args.settings;
        const plan = buildPlan(s);
        // what deploys but deserves a look: shown by `pulumi preview`/`up` as the offline plan shows it
        for (const w of plan.warnings) pulumi.log.warn(`${w.path}: ${w.message}`, this);
        this.plan = plan;
        const parent = { parent: this };

        // One explicit provider per host: nothing may land on whatever DOCKER_HOST the operator has set.
        const mailboxDocker = new docker.Provider(
            `${name}-mailbox-docker`,
            { host: plan.mailbox.dockerHost, ...dockerTlsArgs(s.mailbox.dockerTls) },
            parent,
        );
        const edgeDocker = new docker.Provider(
            `${name}-edge-docker`,
            { host: plan.edge.dockerHost, ...dockerTlsArgs(s.edge.dockerTls) },
            parent,
        );
        const backends = backendResources(this, name, s, plan);
        const policy = new TailnetPolicy(`${name}-tailnet-policy`, { aclHujson: plan.tailnet.aclHujson }, parent);
        const { sidecar, mailbox } = mailboxContainers(this, name, s, plan, backends, mailboxDocker);
        const { postgres, garage } = backends;
        // the backup job, when the stack has one: after Stalwart, so the store exists before the first export
        if (plan.backup)
            backupJob(this, name, {
                plan,
                backup: plan.backup,
                dockerProvider: mailboxDocker,
                sidecar,
                mailbox,
                postgres,
                garage,
            });
        const settings = stalwartSettings(this, name, s, plan, mailbox);
        const edge = new CaddyL4Edge(
            `${name}-edge`,
            {
                container: plan.edge.caddy,
                image: plan.edge.image,
                volumes: plan.edge.volumes,
                caddyJson: plan.edge.caddyJson,
                dockerProvider: edgeDocker,
            },
            parent,
        );

        this.mailboxFqdn = pulumi.output(plan.mailbox.fqdn);
        this.caddyJson = edge.caddyJson;
        this.configJson = pulumi.output(plan.mailbox.configJson);
        this.aclHujson = policy.aclHujson;
        this.acmeDirectory = pulumi.output(plan.stalwart.acmeDirectory);
        this.postgres = postgresFacts(postgres);
        this.redis = { url: backends.redis.url };
        this.garage = garageFacts(garage, plan);
        this.stalwartObjects = settings?.objectIds ?? pulumi.output<Record<string, string>>({});
        this.pendingRestart = settings?.pendingRestart ?? pulumi.output([]);
        const operator = operatorResources(this, name, plan, settings);
        this.dnsRecords = operator.dnsRecords;
        this.stalwartApiKey = operator.stalwartApiKey;
        this.registerOutputs({
            stalwartObjects: this.stalwartObjects,
            pendingRestart: this.pendingRestart,
            dnsRecords: this.dnsRecords,
            stalwartApiKey: this.stalwartApiKey,
            mailboxFqdn: this.mailboxFqdn,
            caddyJson: this.caddyJson,
            configJson: this.configJson,
            aclHujson: this.aclHujson,
            acmeDirectory: this.acmeDirectory,
            postgres: this.postgres,
            redis: this.redis,
            garage: this.garage,
        });
    }
}

function postgresFacts(postgres: PostgresDatabase): PostgresFacts {
    const { host, port, database, role, password } = postgres;
    return { host, port, database, role, password };
}

function garageFacts(garage: GarageBucket, plan: Plan): GarageFacts {
    return {
        bucket: garage.bucket,
        bucketId: garage.bucketId,
        accessKeyId: garage.accessKeyId,
        secretAccessKey: pulumi.secret(garage.secretAccessKey),
        s3Endpoint: pulumi.output(plan.backends.garage.s3Endpoint),
    };
}

interface Backends {
    postgres: PostgresDatabase;
    redis: RedisDatabase;
    garage: GarageBucket;
}

/** The shared backends: a Postgres role+database, the Redis URL, a Garage bucket+key (data retained unless allowDataLoss). */
function backendResources(self: pulumi.ComponentResource, name: string, s: Settings, plan: Plan): Backends {
    const parent = { parent: self };
    const postgres = new PostgresDatabase(
        `${name}-postgres`,
        {
            ...plan.backends.postgres,
            adminPassword: secretOf(s.postgres.adminPassword),
            retainOnDelete: plan.retainData,
        },
        parent,
    );
    // a Secret when redis.url holds a password: RedisDatabase.url is then a Pulumi secret
    const redis = new RedisDatabase(`${name}-redis`, { url: plan.backends.redis.url }, parent);
    const ga = plan.backends.garage;
    const garage = new GarageBucket(
        `${name}-garage`,
        { adminEndpoint: ga.adminEndpoint, bucket: ga.bucket, keyName: ga.keyName, retainOnDelete: plan.retainData },
        parent,
    );
    return { postgres, redis, garage };
}

/** ts-stalwart and Stalwart in its netns, with the secrets its env names. */
function mailboxContainers(
    self: pulumi.ComponentResource,
    name: string,
    s: Settings,
    plan: Plan,
    backends: Backends,
    dockerProvider: docker.Provider,
) {
    const parent = { parent: self };
    const { postgres, garage } = backends;
    const sidecar = new TailscaleSidecar(
        `${name}-sidecar`,
        {
            container: plan.mailbox.sidecar,
            volumes: plan.mailbox.volumes,
            auth: plan.tailnet.auth,
            oauthClientSecret: secretOf(s.tailscale.oauthClientSecret),
            dockerProvider,
        },
        parent,
    );
    const mailbox = new StalwartMailbox(
        `${name}-stalwart`,
        {
            container: plan.mailbox.stalwart,
            volumes: plan.mailbox.volumes,
            sidecarContainerId: sidecar.containerId,
            secrets: {
                postgresPassword: postgres.password,
                garageAccessKeyId: garage.accessKeyId,
                garageSecretAccessKey: garage.secretAccessKey,
                ...(s.stalwart.recoveryAdmin ? { stalwartRecoveryAdmin: secretOf(s.stalwart.recoveryAdmin)! } : {}),
                ...(s.smarthost?.password ? { smarthostPassword: secretOf(s.smarthost.password)! } : {}),
                ...dnsCredentialSecrets(s),
            },
            dockerProvider,
            // Stalwart opens its stores at start: the database and the bucket must exist first.
            startAfter: [postgres, garage],
            // and no other Stalwart may hold sessions as its role when it does (decision 014)
            oneInstance: oneInstanceGate(s, plan, postgres.role),
        },
        parent,
    );
    return { sidecar, mailbox };
}

/**
 * Stalwart's own settings, through its management API once the container is healthy. A
 * restart-needing change (listeners, stores) restarts the container over the same docker host.
 */
function stalwartSettings(
    self: pulumi.ComponentResource,
    name: string,
    s: Settings,
    plan: Plan,
    mailbox: StalwartMailbox,
): StalwartSettings | undefined {
    if (plan.stalwart.objects.length === 0) return undefined;
    return new StalwartSettings(
        `${name}-settings`,
        {
            objects: plan.stalwart.objects.map((o) => withPasswordHashes(self, name, withPulumiSecrets(o))),
            restartCommand: mailbox.containerName.apply(
                restartArgv(plan.mailbox.dockerHost, s.mailbox.dockerTls !== undefined),
            ),
            discoverAddress: `postmaster@${s.domain}`,
            // a production gate: an identity provider gets a minute to come up before the up fails
            readiness: OPERATIONAL_READINESS,
            // destroy sends nothing to Stalwart unless the stack allows data loss (decision 012)
            allowDataLoss: s.allowDataLoss,
            // oidc: bound by the convergence once a reload built the directory
            ...(plan.stalwart.operator?.oidc ? { defaultDirectory: plan.stalwart.operator.oidc.directoryKey } : {}),
        },
        { parent: self, dependsOn: [mailbox] },
    );
}
