import { z } from "zod";
import { type Secret, toSecret } from "./secret";

/**
 * The stack config's shape: types and defaults. Cross-field pitfalls live in rules.ts, so each
 * rule stays a few lines and every problem is reported at once.
 *
 * Values arrive as YAML parses them from Pulumi.<stack>.yaml, or as strings when pulumi.Config
 * hands over top-level scalars, so numbers and booleans also accept their text form.
 */

const num = (schema: z.ZodNumber) =>
    z.preprocess((v) => (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v)) ? Number(v) : v), schema);
const bool = () =>
    z.preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean());
const port = () => num(z.number().int().min(1).max(65535));
const nonEmpty = () => z.string().trim().min(1, "must not be empty");
const list = <T extends z.ZodType>(item: T) =>
    z.preprocess((v) => (typeof v === "string" ? v.split(",").map((s) => s.trim()).filter(Boolean) : v), z.array(item));

/** A secret: a clear string (decrypted by Pulumi) or `{ secure: … }` straight from the YAML file. */
const secret = () =>
    z.custom<Secret>((v) => toSecret(v) !== undefined, {
        message: "must be a secret: set it with `pulumi config set --secret --path tailwart:<key> <value>`",
    }).transform((v) => toSecret(v) as Secret);

/**
 * Objects are built twice: strict (unknown keys are errors, so a typo never silently falls back to a
 * default) and lenient (unknown keys dropped), so the pitfall rules still run and every problem is
 * reported in one go.
 */
type Shape = Record<string, z.ZodType>;
type ObjectOf = <T extends Shape>(shape: T) => z.ZodObject<T>;
const strictObject: ObjectOf = (shape) => z.object(shape).strict();
const lenientObject: ObjectOf = (shape) => z.object(shape).strip();

export const DEFAULT_MAIL_PORTS = [25, 465, 587, 143, 993];
export const DEFAULT_TAILSCALE_IMAGE = "tailscale/tailscale:v1.90.6";

const stalwart = (obj: ObjectOf) =>
    obj({
        image: nonEmpty(),
        containerName: nonEmpty().default("stalwart"),
        /** where people and OAuth clients reach Stalwart; default https://<hostname> */
        publicUrl: z.string().url().optional(),
        /** where this program reaches the management API over the tailnet; default http://<tailscaleHostname>.<tailnet>:8080 */
        managementUrl: z.string().optional(),
        /** manage Stalwart's x:* settings (stores, listeners, domain, ACME) through its management API */
        manageSettings: bool().default(true),
        /** "user:password" for STALWART_RECOVERY_ADMIN: an admin that exists before any account or API key */
        recoveryAdmin: secret().optional(),
    });

const mailbox = (obj: ObjectOf) =>
    obj({
        dockerHost: nonEmpty(),
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
        ports: list(port()).default(DEFAULT_MAIL_PORTS),
        /** a prebuilt Caddy+caddy-l4 image; without it the image is built from caddy/ on the edge host */
        image: nonEmpty().optional(),
        containerName: nonEmpty().default("caddy-l4"),
        dataVolume: nonEmpty().default("caddy-l4-data"),
        tags: list(nonEmpty()).default(["tag:reverse-proxy"]),
        proxyProtocol: z.enum(["v1", "v2"]).default("v2"),
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

const redis = (obj: ObjectOf) => obj({ url: nonEmpty() });

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
        contact: list(z.string().email("must be an email address")).optional(),
        /** the x:DnsServer settings Stalwart uses for dns-01 (a `@type` plus its fields) */
        dnsProvider: z.record(z.string(), z.unknown()).optional(),
        /** lets `prod` use staging or `dev` use production on purpose */
        acceptDirectoryMismatch: bool().default(false),
    });

const tailscale = (obj: ObjectOf) =>
    obj({
        /** tailnetKey: a tailscale.TailnetKey is minted per deploy; oauth: an OAuth client secret mints the node itself */
        auth: z.enum(["tailnetKey", "oauth"]).optional(),
        oauthClientSecret: secret().optional(),
        ephemeral: bool().default(true),
        operators: list(nonEmpty()).default(["autogroup:admin"]),
        tagOwners: list(nonEmpty()).default(["autogroup:admin"]),
    });

function buildSettingsSchema(obj: ObjectOf) {
    return obj({
        domain: nonEmpty(),
        hostname: nonEmpty(),
        tailnet: nonEmpty(),
        stalwart: stalwart(obj),
        mailbox: mailbox(obj),
        edge: edge(obj),
        postgres: postgres(obj),
        redis: redis(obj),
        garage: garage(obj),
        acme: acme(obj).default({ acceptDirectoryMismatch: false }),
        tailscale: tailscale(obj).default({ ephemeral: true, operators: ["autogroup:admin"], tagOwners: ["autogroup:admin"] }),
        /** the one key that lets `pulumi destroy` delete the mail volume, the database and the bucket */
        allowDataLoss: bool().default(false),
    });
}

export const settingsSchema = buildSettingsSchema(strictObject);
export const lenientSettingsSchema = buildSettingsSchema(lenientObject);

export type RawSettings = z.output<typeof settingsSchema>;
