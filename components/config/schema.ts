import { domainToASCII } from "node:url";
import { z } from "zod";
import { backupSchema } from "./backupSchema";
import { objectSecrets } from "./objectSecrets";
import { isCiphertext, isSecret, Secret, toSecret } from "./secret";
import { dnsProvider } from "./dnsProvider";
import { hasCredentials, maskUrl } from "./validators";

/**
 * The stack config's shape: types and defaults. What a value must be beyond its type (DNS names,
 * pinned images, docker names, port ranges, what the topology can serve …) lives in rules.ts, so
 * each rule stays a few lines and every problem is reported at once.
 *
 * Values arrive as YAML parses them from Pulumi.<stack>.yaml, or as strings when pulumi.Config
 * hands over top-level scalars, so numbers and booleans also accept their text form.
 */

const num = (schema: z.ZodNumber) =>
    z.preprocess((v) => (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v)) ? Number(v) : v), schema);
const bool = () =>
    z.preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean());
const PORT_RANGE = "must be a TCP port, a whole number from 1 to 65535";
const DRAIN_RANGE = "must be a number of seconds from 0 to 3600";
const port = () => num(z.number().int(PORT_RANGE).min(1, PORT_RANGE).max(65535, PORT_RANGE));
const nonEmpty = () => z.string().trim().min(1, "must not be empty");
const unquote = (item: string) => item.replace(/^(["'])(.*)\1$/, "$2").trim();

/**
 * A list as text, the way `pulumi config set` hands it over: "25,465,443", or a JSON/YAML flow list
 * "[25, 465, 443]" / "[tag:a, tag:b]". Anything but a string is returned as it is.
 */
export function asList(v: unknown): unknown {
    if (typeof v !== "string") return v;
    let text = v.trim();
    if (text.startsWith("[") && text.endsWith("]")) {
        try {
            const parsed: unknown = JSON.parse(text);
            if (Array.isArray(parsed)) return parsed;
        } catch {
            // a YAML flow list ([tag:a, tag:b]) is no JSON: split it below
        }
        text = text.slice(1, -1);
    }
    return text.split(",").map(unquote).filter(Boolean);
}

const list = <T extends z.ZodType>(item: T) => z.preprocess(asList, z.array(item));
/** A list that must hold at least one item; `message` says what to write instead. */
const nonEmptyList = <T extends z.ZodType>(item: T, message: string) => z.preprocess(asList, z.array(item).min(1, message));

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

/** zod `params` that mark an issue as "this key wants a secret": the message then names the command with the key. */
export const SECRET_PARAMS = { secret: true } as const;

/** A secret: a clear string (decrypted by Pulumi) or `{ secure: … }` straight from the YAML file. */
const secret = () =>
    z.custom<Secret>((v) => toSecret(v) !== undefined, { message: "must be a secret", params: SECRET_PARAMS }).transform((v) => toSecret(v) as Secret);

/**
 * A URL that may hold a password: clear text, or a secret. A URL with a password in it is made a
 * Secret however it was given (its printed form masks only the password); one without stays text.
 */
const urlOrSecret = () =>
    z
        .custom<string | Secret>((v) => (typeof v === "string" && v.trim() !== "") || isCiphertext(v) || isSecret(v), {
            message: "must be a URL, or a secret holding one (a URL with a password should be one)",
            params: { ...SECRET_PARAMS, example: "redis://:<password>@<host>.<tailnet>:6379/<0-15>" },
        })
        .transform((v): string | Secret => {
            if (typeof v !== "string") return isSecret(v) ? v : new Secret<string>(undefined, true);
            const url = v.trim();
            return hasCredentials(url) ? Secret.inClearText(url, maskUrl(url)) : url;
        });

/**
 * A DNS name as Stalwart stores it: lower case, no trailing dot, internationalized names as
 * A-labels. The plan then equals what the server reads back, so an up never rewrites it.
 */
const dnsName = () =>
    z.preprocess((v) => {
        if (typeof v !== "string") return v;
        const name = v.trim().replace(/\.$/, "");
        return domainToASCII(name) || name.toLowerCase();
    }, nonEmpty());

/** An ACME contact: `x@y` or `mailto:x@y`, kept as the bare address Stalwart's x:AcmeProvider takes. */
const contact = () =>
    z.preprocess((v) => (typeof v === "string" ? v.trim().replace(/^mailto:/i, "") : v), z.string().email("must be an email address, e.g. postmaster@example.com (mailto: is optional)"));

/**
 * Objects are built twice: strict (unknown keys are errors, so a typo never silently falls back to a
 * default) and lenient (unknown keys dropped, and every field that is missing or of the wrong type
 * left undefined instead of failing the parse), so the pitfall rules still run on the rest and
 * every problem is reported in one go.
 */
type Shape = Record<string, z.ZodType>;
type ObjectOf = <T extends Shape>(shape: T) => z.ZodObject<T>;
const strictObject: ObjectOf = (shape) => z.object(shape).strict();
const lenientObject: ObjectOf = <T extends Shape>(shape: T) =>
    z.object(Object.fromEntries(Object.entries(shape).map(([k, field]) => [k, field.catch(undefined as never)]))).strip() as unknown as z.ZodObject<T>;

export const DEFAULT_MAIL_PORTS = [25, 465, 587, 143, 993];
export const DEFAULT_TAILSCALE_IMAGE = "tailscale/tailscale:v1.90.6";

const stalwart = (obj: ObjectOf) =>
    obj({
        image: nonEmpty(),
        containerName: nonEmpty().default("stalwart"),
        /** where people and OAuth clients reach Stalwart; default https://<hostname> (https only: rules.ts) */
        publicUrl: nonEmpty().optional(),
        /** where this program reaches the management API over the tailnet; default http://<tailscaleHostname>.<tailnet>:8080 */
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
const dockerTls = (obj: ObjectOf) => obj({ caCert: secret(), cert: secret(), key: secret() });

const mailbox = (obj: ObjectOf) =>
    obj({
        dockerHost: nonEmpty(),
        dockerTls: dockerTls(obj).optional(),
        tailscaleHostname: nonEmpty().default("ts-stalwart"),
        tags: list(nonEmpty()).default(["tag:stalwart"]),
        tailscaleImage: nonEmpty().default(DEFAULT_TAILSCALE_IMAGE),
        dataVolume: nonEmpty().default("stalwart-data"),
        configVolume: nonEmpty().default("stalwart-config"),
        stateVolume: nonEmpty().default("ts-stalwart-state"),
        healthAddress: nonEmpty().default("127.0.0.1:9002"),
    });

const edge = (obj: ObjectOf) =>
    obj({
        dockerHost: nonEmpty(),
        dockerTls: dockerTls(obj).optional(),
        /** the edge node's tailnet IPv4 and IPv6: the only PROXY-protocol sources the mail listeners trust */
        tailnetAddresses: list(nonEmpty()).optional(),
        /** whole numbers here; range, duplicates and listeners are rules (rules.ts) */
        ports: list(num(z.number().int(PORT_RANGE))).default(DEFAULT_MAIL_PORTS),
        /** a prebuilt Caddy+caddy-l4 image; without it the image is built from caddy/ on the edge host */
        image: nonEmpty().optional(),
        containerName: nonEmpty().default("caddy-l4"),
        dataVolume: nonEmpty().default("caddy-l4-data"),
        tags: list(nonEmpty()).default(["tag:reverse-proxy"]),
        proxyProtocol: z.enum(["v1", "v2"]).default("v2"),
        /** resolvers for the edge container (e.g. [100.100.100.100], Tailscale's): the dial target is a MagicDNS name */
        dns: list(nonEmpty()).default([]),
    });

const postgres = (obj: ObjectOf) =>
    obj({
        host: nonEmpty(),
        port: port().default(5432),
        database: nonEmpty().default("stalwart"),
        role: nonEmpty().default("stalwart"),
        adminUser: nonEmpty().default("postgres"),
        adminPassword: secret().optional(),
        sslmode: z.enum(["disable", "require", "verify-full"]).default("disable"),
    });

/** redis://[:password@]<host>.<tailnet>:<port>/<0-15>; a secret when it holds a password */
const redis = (obj: ObjectOf) => obj({ url: urlOrSecret() });

const garage = (obj: ObjectOf) =>
    obj({
        s3Endpoint: nonEmpty(),
        adminEndpoint: nonEmpty(),
        bucket: nonEmpty().default("stalwart-mail"),
        keyName: nonEmpty().default("stalwart"),
        region: nonEmpty().default("garage"),
    });

const acme = (obj: ObjectOf) =>
    obj({
        directory: nonEmpty().optional(),
        /** default: what the topology can serve (443 forwarded → tls-alpn-01, 80 → http-01, a dnsProvider → dns-01) */
        challenge: z.enum(["tls-alpn-01", "http-01", "dns-01"]).optional(),
        contact: nonEmptyList(contact(), "lists no address; ACME needs at least one contact: write e.g. [postmaster@<domain>], or leave acme.contact out for postmaster@<domain>").optional(),
        /** the x:DnsServer settings Stalwart uses for dns-01 (a `@type` plus its fields); credentials become Secrets */
        dnsProvider: dnsProvider().optional(),
        /** lets `prod` use staging or `dev` use production on purpose */
        acceptDirectoryMismatch: bool().default(false),
    });

/** The spellings tailscale.auth takes (case, dashes and underscores aside), and what each means. */
const TAILSCALE_AUTH: Record<string, "tailnetKey" | "oauth"> = { tailnetkey: "tailnetKey", authkey: "tailnetKey", oauth: "oauth", oauthclient: "oauth" };

const tailscaleAuth = () =>
    z.preprocess(
        (v) => (typeof v === "string" ? (TAILSCALE_AUTH[v.toLowerCase().replace(/[-_\s]/g, "")] ?? v) : v),
        z.enum(["tailnetKey", "oauth"], { error: 'must be tailnetKey (also written tailnet-key or authKey) or oauth (also oauth-client or oauthClient)' }),
    );

const tailscale = (obj: ObjectOf) =>
    obj({
        /** tailnetKey: a tailscale.TailnetKey is minted per deploy; oauth: an OAuth client secret mints the node itself */
        auth: tailscaleAuth().optional(),
        /** the OAuth client's ID: not secret, shown in the plan (the tailscale provider reads its own tailscale:oauthClientId) */
        oauthClientId: nonEmpty().optional(),
        oauthClientSecret: secret().optional(),
        ephemeral: bool().default(true),
        operators: list(nonEmpty()).default(["autogroup:admin"]),
        tagOwners: list(nonEmpty()).default(["autogroup:admin"]),
    });

/** One `stalwart.objects` entry: an x:* object by type, its properties, and `refs` (property path → key of another object). */
const stalwartObject = (obj: ObjectOf) =>
    obj({
        key: nonEmpty(),
        objectType: nonEmpty(),
        properties: z.record(z.string(), z.unknown()).default({}),
        refs: z.record(z.string(), nonEmpty()).optional(),
    }).transform((o) => ({ ...o, properties: objectSecrets(o.objectType, o.properties) }));

/** oidc: an x:Directory of @type Oidc bound as the default directory (the binding itself is the convergence's job). */
const oidc = (obj: ObjectOf) =>
    obj({
        issuerUrl: nonEmpty(),
        /** requireAudience: the one audience a token must carry */
        audience: nonEmpty(),
        scopes: list(nonEmpty()).optional(),
        claimUsername: nonEmpty().optional(),
        claimName: nonEmpty().optional(),
        claimGroups: nonEmpty().optional(),
        usernameDomain: dnsName().optional(),
        description: nonEmpty().optional(),
    });

/** A mailbox size: bytes, or a number with a unit (10GB, 512 MiB). */
const size = () =>
    z.preprocess((v) => (typeof v === "string" ? parseSize(v) ?? v : v), z.number({ error: "must be a size: bytes, or a number with a unit, e.g. 10GB or 512MiB" }).int().min(0));

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
        name: nonEmpty(),
        domain: dnsName().optional(),
        description: nonEmpty().optional(),
        aliases: list(nonEmpty()).default([]),
        /** user, admin, or the ids of existing x:Role objects */
        roles: list(nonEmpty()).optional(),
        quota: size().optional(),
        password: secret().optional(),
    });

/** groups[]: an x:Account of @type Group (a shared address); `members` name entries of `accounts`. */
const group = (obj: ObjectOf) =>
    obj({
        name: nonEmpty(),
        domain: dnsName().optional(),
        description: nonEmpty().optional(),
        aliases: list(nonEmpty()).default([]),
        members: list(nonEmpty()).default([]),
    });

/** smarthost: the relay outbound remote delivery goes through (an x:MtaRoute of @type Relay). */
const smarthost = (obj: ObjectOf) =>
    obj({
        host: dnsName(),
        port: port(),
        username: nonEmpty().optional(),
        password: secret().optional(),
        tls: z.enum(["implicit", "starttls"], { error: "must be implicit (TLS from the first byte, usually port 465) or starttls (usually port 587)" }),
    });

export const TRACING_LEVELS = ["error", "warn", "info", "debug", "trace"] as const;

const tracing = (obj: ObjectOf) => obj({ level: z.enum(TRACING_LEVELS, { error: `must be one of ${TRACING_LEVELS.join(", ")}` }).default("info") });

function buildSettingsSchema(obj: ObjectOf) {
    return obj({
        domain: dnsName(),
        hostname: dnsName(),
        tailnet: nonEmpty(),
        stalwart: stalwart(obj),
        mailbox: mailbox(obj),
        edge: edge(obj),
        postgres: postgres(obj),
        redis: redis(obj),
        garage: garage(obj),
        acme: acme(obj).default({ acceptDirectoryMismatch: false }),
        tailscale: tailscale(obj).default({ ephemeral: true, operators: ["autogroup:admin"], tagOwners: ["autogroup:admin"] }),
        /** a scheduled backup job on the mailbox host; none when unset */
        backup: backupSchema(obj, { nonEmpty, num }).optional(),
        /** the one key that lets `pulumi destroy` delete the mail volume, the database and the bucket */
        allowDataLoss: bool().default(false),
        oidc: oidc(obj).optional(),
        accounts: list(account(obj)).default([]),
        groups: list(group(obj)).default([]),
        smarthost: smarthost(obj).optional(),
        tracing: tracing(obj).default({ level: "info" }),
    });
}

export const settingsSchema = buildSettingsSchema(strictObject);
export const lenientSettingsSchema = buildSettingsSchema(lenientObject);

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
    while (s instanceof z.ZodDefault || s instanceof z.ZodOptional || s instanceof z.ZodCatch) s = s.unwrap() as z.ZodType;
    return s;
}
