import { z } from "zod";
import { backupSchema } from "./backupSchema";
import { objectSecrets } from "./objectSecrets";
import { dnsProvider } from "./dnsProvider";
import {
    bool,
    contact,
    dnsName,
    lenientObject,
    list,
    nonEmpty,
    nonEmptyList,
    num,
    type ObjectOf,
    port,
    PORT_RANGE,
    secret,
    type Shape,
    strictObject,
    urlOrSecret,
} from "./fields";

export { asList, SECRET_PARAMS } from "./fields";

/**
 * The stack config's shape: types and defaults. What a value must be beyond its type (DNS names,
 * pinned images, docker names, port ranges, what the topology can serve …) lives in rules.ts, so
 * each rule stays a few lines and every problem is reported at once.
 *
 * Values arrive as YAML parses them from Pulumi.<stack>.yaml, or as strings when pulumi.Config
 * hands over top-level scalars, so numbers and booleans also accept their text form.
 */

const DRAIN_RANGE = "must be a number of seconds from 0 to 3600";

/**
 * Keys whose values are secrets (plus each credential field of acme.dnsProvider, DNS_SECRET_KEYS;
 * dockerTls's certificates are public and may be given either way):
 * set with `pulumi config set --secret`, masked everywhere, and flagged by the plan when the stack
 * file holds them in clear. redis.url is one only when it carries a password.
 */
export const SECRET_KEYS = [
    "stalwart.recoveryAdmin",
    "postgres.adminPassword",
    "tailscale.oauthClientSecret",
    "redis.url",
    "mailbox.dockerTls.key",
    "edge.dockerTls.key",
    "smarthost.password",
] as const;

export const DEFAULT_MAIL_PORTS = [25, 465, 587, 143, 993];
export const DEFAULT_TAILSCALE_IMAGE = "tailscale/tailscale:v1.90.6";

const stalwart = (obj: ObjectOf) =>
    obj({
        /** a v0.16 image, pinned: `stalwartlabs/stalwart:v0.16.<patch>` (a digest may follow) */
        image: nonEmpty(),
        /** docker container name (default `stalwart`) */
        containerName: nonEmpty().default("stalwart"),
        /** where people and OAuth clients reach Stalwart; default `https://<hostname>` (https only) */
        publicUrl: nonEmpty().optional(),
        /** where this program reaches the management API over the tailnet; default `http://<tailscaleHostname>.<tailnet>:8080` */
        managementUrl: nonEmpty().optional(),
        /** manage Stalwart's x:* settings (stores, listeners, domain, ACME) through its management API */
        manageSettings: bool().default(true),
        /** "user:password" for STALWART_RECOVERY_ADMIN: an admin that exists before any account or API key */
        recoveryAdmin: secret().optional(),
        /** how long a new or replaced Stalwart waits for other sessions as its Postgres role to close (the one-instance gate) */
        drainTimeoutSeconds: num(z.number().min(0, DRAIN_RANGE).max(3600, DRAIN_RANGE)).default(120),
        /** extra x:* objects for what the other keys don't model (plan/operatorSettings.ts): checked against the schema at plan time */
        objects: list(stalwartObject(obj)).default([]),
    });

/**
 * The docker provider's TLS material for a tcp:// host (PEM): the CA that signed the daemon's
 * certificate, and the client's certificate and key. All three are read as secrets (clear or
 * `{secure: …}`); only the key must be one, the certificates are public.
 */
const dockerTls = (obj: ObjectOf) =>
    obj({
        /** the CA certificate that signed the daemon's, PEM */
        caCert: secret(),
        /** the client certificate, PEM */
        cert: secret(),
        /** the client key, PEM (a secret) */
        key: secret(),
    });

const mailbox = (obj: ObjectOf) =>
    obj({
        /** the mailbox's docker host: `ssh://user@<host>.<tailnet>`, `unix:///var/run/docker.sock` or `tcp://host:port` */
        dockerHost: nonEmpty(),
        /** TLS material for a `tcp://` docker host */
        dockerTls: dockerTls(obj).optional(),
        /** the sidecar's container and tailnet name, one DNS label (default `ts-stalwart`) */
        tailscaleHostname: nonEmpty().default("ts-stalwart"),
        /** tailnet tags of the sidecar (default `[tag:stalwart]`) */
        tags: list(nonEmpty()).default(["tag:stalwart"]),
        /** the pinned sidecar image */
        tailscaleImage: nonEmpty().default(DEFAULT_TAILSCALE_IMAGE),
        /** named volume for /var/lib/stalwart (default `stalwart-data`) */
        dataVolume: nonEmpty().default("stalwart-data"),
        /** named volume for /etc/stalwart (default `stalwart-config`) */
        configVolume: nonEmpty().default("stalwart-config"),
        /** named volume for tailscaled's state (default `ts-stalwart-state`) */
        stateVolume: nonEmpty().default("ts-stalwart-state"),
        /** the sidecar's health endpoint, host:port (default `127.0.0.1:9002`) */
        healthAddress: nonEmpty().default("127.0.0.1:9002"),
    });

const edge = (obj: ObjectOf) =>
    obj({
        /** the edge's docker host (may be the mailbox's), as mailbox.dockerHost */
        dockerHost: nonEmpty(),
        /** TLS material for a `tcp://` docker host */
        dockerTls: dockerTls(obj).optional(),
        /** the edge node's tailnet IPv4 and IPv6: the only PROXY-protocol sources the mail listeners trust */
        tailnetAddresses: list(nonEmpty()).optional(),
        /** whole numbers here; range, duplicates and listeners are rules (rules.ts) */
        ports: list(num(z.number().int(PORT_RANGE))).default(DEFAULT_MAIL_PORTS),
        /** a prebuilt Caddy+caddy-l4 image; without it the image is built from caddy/ on the edge host */
        image: nonEmpty().optional(),
        /** docker container name (default `caddy-l4`) */
        containerName: nonEmpty().default("caddy-l4"),
        /** named volume for Caddy's /data (default `caddy-l4-data`) */
        dataVolume: nonEmpty().default("caddy-l4-data"),
        /** tailnet tags of the edge host, granted the mail ports (default `[tag:reverse-proxy]`) */
        tags: list(nonEmpty()).default(["tag:reverse-proxy"]),
        /** PROXY protocol version sent upstream (default `v2`) */
        proxyProtocol: z.enum(["v1", "v2"]).default("v2"),
        /** resolvers for the edge container (e.g. [100.100.100.100], Tailscale's): the dial target is a MagicDNS name */
        dns: list(nonEmpty()).default([]),
    });

const postgres = (obj: ObjectOf) =>
    obj({
        /** the shared server's full MagicDNS name, without a port */
        host: nonEmpty(),
        /** the server's port (default 5432) */
        port: port().default(5432),
        /** the database created for Stalwart, owned by `role` (default `stalwart`) */
        database: nonEmpty().default("stalwart"),
        /** the login role created with a generated password (default `stalwart`) */
        role: nonEmpty().default("stalwart"),
        /** the user the Postgres provider connects as (default `postgres`) */
        adminUser: nonEmpty().default("postgres"),
        /** its password, a secret (without it the provider reads PGPASSWORD) */
        adminPassword: secret().optional(),
        /** `disable` (the tailnet already encrypts), `require` or `verify-full` */
        sslmode: z.enum(["disable", "require", "verify-full"]).default("disable"),
    });

/** redis://[:password@]<host>.<tailnet>:<port>/<0-15>; a secret when it holds a password */
const redis = (obj: ObjectOf) =>
    obj({
        /** `redis://[:<password>@]<fqdn>:<port>/<db 0-15>`; with a password, give it as a secret */
        url: urlOrSecret(),
    });

const garage = (obj: ObjectOf) =>
    obj({
        /** `http(s)://<fqdn>:<port>` of Garage's S3 API */
        s3Endpoint: nonEmpty(),
        /** `http(s)://<fqdn>:<port>` of Garage's admin API v2 */
        adminEndpoint: nonEmpty(),
        /** the bucket (global alias), adopted if it exists (default `stalwart-mail`) */
        bucket: nonEmpty().default("stalwart-mail"),
        /** the access key name, adopted if it exists (default `stalwart`) */
        keyName: nonEmpty().default("stalwart"),
        /** the S3 region Stalwart signs with (default `garage`) */
        region: nonEmpty().default("garage"),
    });

const acme = (obj: ObjectOf) =>
    obj({
        /** `staging`, `production` or an https ACME directory URL (default per stack) */
        directory: nonEmpty().optional(),
        /** default: what the topology can serve (443 forwarded → tls-alpn-01, 80 → http-01, a dnsProvider → dns-01) */
        challenge: z.enum(["tls-alpn-01", "http-01", "dns-01"]).optional(),
        /** the ACME account contacts (default `[postmaster@<domain>]`) */
        contact: nonEmptyList(
            contact(),
            "lists no address; ACME needs at least one contact: write e.g. [postmaster@<domain>], or leave acme.contact out for postmaster@<domain>",
        ).optional(),
        /** the x:DnsServer settings Stalwart uses for dns-01 (a `@type` plus its fields); credentials become Secrets */
        dnsProvider: dnsProvider().optional(),
        /** lets `prod` use staging or `dev` use production on purpose */
        acceptDirectoryMismatch: bool().default(false),
    });

/** The spellings tailscale.auth takes (case, dashes and underscores aside), and what each means. */
const TAILSCALE_AUTH: Record<string, "tailnetKey" | "oauth"> = {
    tailnetkey: "tailnetKey",
    authkey: "tailnetKey",
    oauth: "oauth",
    oauthclient: "oauth",
};

const tailscaleAuth = () =>
    z.preprocess(
        (v) => (typeof v === "string" ? (TAILSCALE_AUTH[v.toLowerCase().replace(/[-_\s]/g, "")] ?? v) : v),
        z.enum(["tailnetKey", "oauth"], {
            error: "must be tailnetKey (also written tailnet-key or authKey) or oauth (also oauth-client or oauthClient)",
        }),
    );

const tailscale = (obj: ObjectOf) =>
    obj({
        /** tailnetKey: a tailscale.TailnetKey is minted per deploy; oauth: an OAuth client secret mints the node itself */
        auth: tailscaleAuth().optional(),
        /** the OAuth client's ID: not secret, shown in the plan (the tailscale provider reads its own tailscale:oauthClientId) */
        oauthClientId: nonEmpty().optional(),
        /** the OAuth client secret for `auth: oauth` (implies it) */
        oauthClientSecret: secret().optional(),
        /** register the sidecar as an ephemeral node (default true) */
        ephemeral: bool().default(true),
        /** who may reach Stalwart's management port in the policy fragment */
        operators: list(nonEmpty()).default(["autogroup:admin"]),
        /** owners of the tags in the policy fragment */
        tagOwners: list(nonEmpty()).default(["autogroup:admin"]),
    });

/** One `stalwart.objects` entry: an x:* object by type, its properties, and `refs` (property path → key of another object). */
const stalwartObject = (obj: ObjectOf) =>
    obj({
        /** unique among the objects; the Pulumi resource name suffix */
        key: nonEmpty(),
        /** the x:* type, e.g. `x:SpamSettings` */
        objectType: nonEmpty(),
        /** the object's properties as Stalwart names them */
        properties: z.record(z.string(), z.unknown()).default({}),
        /** dotted property path → key of the object whose id goes there */
        refs: z.record(z.string(), nonEmpty()).optional(),
    }).transform((o) => ({
        ...o,
        /** the object's properties as Stalwart names them; the schema's secret fields as Secrets */
        properties: objectSecrets(o.objectType, o.properties),
    }));

/** oidc: an x:Directory of @type Oidc bound as the default directory (the binding itself is the convergence's job). */
const oidc = (obj: ObjectOf) =>
    obj({
        /** the identity provider's issuer, exactly as its discovery document says */
        issuerUrl: nonEmpty(),
        /** requireAudience: the one audience a token must carry */
        audience: nonEmpty(),
        /** scopes every token must have (default `[openid, email]`) */
        scopes: list(nonEmpty()).optional(),
        /** the claim the user name comes from (Stalwart's default `preferred_username`) */
        claimUsername: nonEmpty().optional(),
        /** the claim the display name comes from (Stalwart's default `name`) */
        claimName: nonEmpty().optional(),
        /** the claim the groups come from */
        claimGroups: nonEmpty().optional(),
        /** the domain appended to a bare user name */
        usernameDomain: dnsName().optional(),
        /** the directory's description */
        description: nonEmpty().optional(),
    });

/** A mailbox size: bytes, or a number with a unit (10GB, 512 MiB). */
const size = () =>
    z.preprocess(
        (v) => (typeof v === "string" ? (parseSize(v) ?? v) : v),
        z.number({ error: "must be a size: bytes, or a number with a unit, e.g. 10GB or 512MiB" }).int().min(0),
    );

/** `10GB`, `512 MiB`, `2048` → bytes; undefined when it is none of those. */
export function parseSize(text: string): number | undefined {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b?|b)?\s*$/i.exec(text);
    if (!m) return undefined;
    const unit = (m[2] ?? "b").toLowerCase().replace(/b$/, "") || "";
    const powers: Record<string, number> = { "": 0, k: 1, m: 2, g: 3, t: 4 };
    const power = powers[unit.replace("i", "")] ?? 0;
    const base = unit.endsWith("i") ? 1024 : 1000;
    return Math.round(Number(m[1]) * base ** power);
}

/** accounts[]: a user as Stalwart's x:Account of @type User; a password is a secret (hashed to $argon2id$ at deploy). */
const account = (obj: ObjectOf) =>
    obj({
        /** a local part, or `name@domain` */
        name: nonEmpty(),
        /** the account's domain (default the stack's `domain`; another one becomes an x:Domain too) */
        domain: dnsName().optional(),
        /** the account's description */
        description: nonEmpty().optional(),
        /** further addresses, local parts or `name@domain` */
        aliases: list(nonEmpty()).default([]),
        /** user, admin, or the ids of existing x:Role objects */
        roles: list(nonEmpty()).optional(),
        /** the mailbox size: bytes, or a number with a unit (`10GB`, `512 MiB`) */
        quota: size().optional(),
        /** a secret; the deploy writes its argon2id hash, never the password */
        password: secret().optional(),
    });

/** groups[]: an x:Account of @type Group (a shared address); `members` name entries of `accounts`. */
const group = (obj: ObjectOf) =>
    obj({
        /** a local part, or `name@domain` */
        name: nonEmpty(),
        /** the group's domain (default the stack's `domain`) */
        domain: dnsName().optional(),
        /** the group's description */
        description: nonEmpty().optional(),
        /** further addresses */
        aliases: list(nonEmpty()).default([]),
        /** entries of `accounts` (`alice` or `alice@<domain>`) that join the group */
        members: list(nonEmpty()).default([]),
    });

/** smarthost: the relay outbound remote delivery goes through (an x:MtaRoute of @type Relay). */
const smarthost = (obj: ObjectOf) =>
    obj({
        /** the relay, a full DNS name or an IP address */
        host: dnsName(),
        /** its port, explicit */
        port: port(),
        /** the user to authenticate as */
        username: nonEmpty().optional(),
        /** its password, a secret */
        password: secret().optional(),
        /** `implicit` (TLS from the first byte, usually 465) or `starttls` (usually 587) */
        tls: z.enum(["implicit", "starttls"], {
            error: "must be implicit (TLS from the first byte, usually port 465) or starttls (usually port 587)",
        }),
    });

export const TRACING_LEVELS = ["error", "warn", "info", "debug", "trace"] as const;

const tracing = (obj: ObjectOf) =>
    obj({
        /** the stdout tracer's level (default `info`; `trace` for debugging authentication) */
        level: z.enum(TRACING_LEVELS, { error: `must be one of ${TRACING_LEVELS.join(", ")}` }).default("info"),
    });

function buildSettingsSchema(obj: ObjectOf) {
    return obj({
        /** the mail domain, e.g. `example.org` */
        domain: dnsName(),
        /** the server's public name (MX target, TLS certificate), a full DNS name */
        hostname: dnsName(),
        /** the tailnet's DNS suffix, e.g. `tail0example.ts.net` */
        tailnet: nonEmpty(),
        /** the Stalwart container and its settings */
        stalwart: stalwart(obj),
        /** the tailnet-only host that runs the sidecar and Stalwart */
        mailbox: mailbox(obj),
        /** the public host that runs Caddy + caddy-l4 */
        edge: edge(obj),
        /** Stalwart's database on the shared Postgres server */
        postgres: postgres(obj),
        /** Stalwart's in-memory store on the shared Redis */
        redis: redis(obj),
        /** Stalwart's blob store: a bucket on the shared Garage */
        garage: garage(obj),
        /** how Stalwart gets its certificates */
        acme: acme(obj).default({ acceptDirectoryMismatch: false }),
        /** how the sidecar logs in, and the tailnet policy fragment's owners */
        tailscale: tailscale(obj).default({
            ephemeral: true,
            operators: ["autogroup:admin"],
            tagOwners: ["autogroup:admin"],
        }),
        /** a scheduled backup job on the mailbox host; none when unset */
        backup: backupSchema(obj, { nonEmpty, num }).optional(),
        /** the one key that lets `pulumi destroy` delete the mail volume, the database and the bucket */
        allowDataLoss: bool().default(false),
        /** an identity provider as Stalwart's default directory */
        oidc: oidc(obj).optional(),
        /** users, each an x:Account of @type User */
        accounts: list(account(obj)).default([]),
        /** shared addresses, each an x:Account of @type Group */
        groups: list(group(obj)).default([]),
        /** the relay outbound mail goes through, for hosts whose outbound :25 is blocked */
        smarthost: smarthost(obj).optional(),
        /** Stalwart's stdout tracer */
        tracing: tracing(obj).default({ level: "info" }),
    });
}

export const settingsSchema = buildSettingsSchema(strictObject);
export const lenientSettingsSchema = buildSettingsSchema(lenientObject);

/**
 * The stack config as checked against its shape, defaults filled in; `Settings` adds what is derived from it.
 *
 * @interface
 */
export type RawSettings = z.output<typeof settingsSchema>;

/**
 * The keys a block requires (no default, not optional), for the issues when the block is missing:
 * `redis` → ["url"]; [] for a leaf.
 */
export function requiredKeys(path: string[]): string[] {
    let schema: z.ZodType = settingsSchema;
    for (const key of path) {
        const inner = unwrap(schema);
        if (!(inner instanceof z.ZodObject)) return [];
        schema = (inner.shape as Shape)[key] ?? z.never();
    }
    const inner = unwrap(schema);
    if (!(inner instanceof z.ZodObject)) return [];
    return Object.entries(inner.shape as Shape)
        .filter(([, field]) => !field.safeParse(undefined).success)
        .map(([k]) => k);
}

function unwrap(schema: z.ZodType): z.ZodType {
    let s: z.ZodType = schema;
    while (s instanceof z.ZodDefault || s instanceof z.ZodOptional || s instanceof z.ZodCatch)
        s = s.unwrap() as z.ZodType;
    return s;
}
