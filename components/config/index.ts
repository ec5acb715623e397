/**
 * The stack config contract: `parseSettings(raw, stack)` turns the `tailwart:` map of a
 * Pulumi.<stack>.yaml into typed Settings, or throws one ConfigError listing every problem.
 * Shape and defaults: settings/schema.ts. Pitfall rules: settings/rules.ts.
 */
import type { z } from "zod";
import { clip, shown } from "./mask";
import {
    ACME_DIRECTORIES,
    type AcmeChallenge,
    clearText,
    type ConfigIssue,
    resolveAcmeChallenge,
    resolveAcmeDirectory,
    RULES,
    runRules,
} from "./rules";
import { BACKUP_RULES, type BackupSettings, resolveBackup, TARGET_FORMS } from "./backup";
import { SCHEDULE_EXAMPLES } from "./schedule";
import { asList, lenientSettingsSchema, type RawSettings, requiredKeys, SECRET_PARAMS, settingsSchema } from "./schema";
import { edgeAddresses } from "./tailnet";
import { WARNINGS } from "./warnings";
import { MANAGEMENT_PORT } from "../topology";
import { Secret, setSecretCommand } from "./secret";
import { type Endpoint, isFqdn, parseEndpoint, parseRedisUrl, type RedisTarget } from "./validators";

export {
    ACME_DIRECTORIES,
    type AcmeChallenge,
    type BackupSettings,
    type ConfigIssue,
    type Endpoint,
    type RawSettings,
    type RedisTarget,
    Secret,
};

/** A stack config that cannot deploy: every problem at once, each naming its key and the fix. */
export class ConfigError extends Error {
    /** every problem found, in the order of the keys */
    readonly issues: ConfigIssue[];

    constructor(issues: ConfigIssue[], stack?: string) {
        const where = stack ? ` in stack ${stack}` : "";
        // Every message names its key; the key is put in front only when the sentence does not start with it.
        const line = (i: ConfigIssue) => (i.message.startsWith(i.path) ? i.message : `${i.path}: ${i.message}`);
        super(
            `invalid tailwart config${where} (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n${issues.map((i) => `  - ${line(i)}`).join("\n")}`,
        );
        this.name = "ConfigError";
        this.issues = issues;
    }
}

/**
 * A stack-config type as code writes it: where the schema's input type is `unknown` (a value that
 * also arrives as text from `pulumi config`, such as a port or a list), the checked type; where it
 * wants a Secret, a plain string too (parseSettings wraps it).
 */
type AsCodeWrites<I, O> = unknown extends I
    ? O
    : I extends Secret
      ? string | Secret
      : I extends readonly unknown[]
        ? I
        : I extends object
          ? { [K in keyof I]: AsCodeWrites<I[K], K extends keyof O ? O[K] : never> }
          : I;

/**
 * What {@link parseSettings} takes from a program that builds its settings in code rather than from
 * `Pulumi.<stack>.yaml`: the `tailwart:` keys of the README's config reference, typed, defaults
 * optional. Secrets may be plain strings (they become masked Secrets) or {@link Secret}s.
 *
 * @interface
 */
export type SettingsInput = AsCodeWrites<z.input<typeof settingsSchema>, RawSettings>;

/** Typed, validated settings with every default and derived value resolved. */
export type Settings = Omit<RawSettings, "backup"> & {
    /** the stack the settings were checked for (`prod` and `dev` pin the ACME directory) */
    stack: string;
    /** the backup job; undefined when the stack has no backup key */
    backup?: BackupSettings;
    /** acme.*, with the directory and challenge resolved */
    acme: Omit<RawSettings["acme"], "directory"> & {
        /** as resolved: "staging" or "production" (named, or the stack's default), else the URL as given */
        directory: string;
        /** the challenge Stalwart answers: as set, or what the edge's ports can serve */
        challenge: AcmeChallenge;
        /** the directory's URL */
        directoryUrl: string;
        /** which kind of directory `directoryUrl` is */
        directoryKind: "staging" | "production" | "custom";
        /** the ACME account's contacts (default `postmaster@<domain>`), without duplicates */
        contact: string[];
    };
    /** tailscale.*, with the login method resolved */
    tailscale: RawSettings["tailscale"] & {
        /** how the sidecar logs in: a minted tailnet key, or the OAuth client secret */
        auth: "tailnetKey" | "oauth";
    };
    /** stalwart.*, with its URLs resolved */
    stalwart: RawSettings["stalwart"] & {
        /** where people and OAuth clients reach Stalwart (default `https://<hostname>`) */
        publicUrl: string;
        /** Stalwart's management API over the tailnet (default `http://<mailboxFqdn>:8080`) */
        managementUrl: string;
    };
    /** `<tailscaleHostname>.<tailnet>`: where the edge and the operators reach Stalwart */
    mailboxFqdn: string;
    /** the backends' URLs, parsed */
    endpoints: {
        /** redis.url's parts; undefined only when redis.url is read encrypted from the stack file (an offline plan) */
        redis:
            | (RedisTarget & {
                  /** the URL as given: a Secret when it holds a password */
                  url: string | Secret;
              })
            | undefined;
        /** garage.s3Endpoint's parts */
        garageS3: Endpoint;
        /** garage.adminEndpoint's parts */
        garageAdmin: Endpoint;
    };
    /** what deploys but deserves a look (e.g. no ACME challenge can be served yet); the plan shows them */
    warnings: ConfigIssue[];
};

const pathOf = (path: PropertyKey[]) =>
    path
        .filter((p) => typeof p !== "number")
        .map(String)
        .join(".");
/** The path as a person reads it, list items included: edge.ports[1] */
const shownPathOf = (path: PropertyKey[]) =>
    path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i > 0 ? "." : ""}${String(p)}`)).join("");

/** The raw value at a zod path; a list given as text ("25,abc", "[25, 465]") is read as the schema reads it. */
function valueAt(raw: unknown, path: PropertyKey[]): unknown {
    let v = raw;
    for (const p of path) {
        if (typeof p === "number") v = asList(v);
        if (typeof v !== "object" || v === null) return undefined;
        v = (v as Record<PropertyKey, unknown>)[p];
    }
    return v;
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

/** The stack's tailnet and domain when they are full names, for examples that fit the stack. */
function namesOf(raw: unknown): { tailnet: string; domain: string } {
    const name = (v: unknown, fallback: string) =>
        typeof v === "string" && isFqdn(v.trim()) ? v.trim().replace(/\.$/, "") : fallback;
    const r = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
    return { tailnet: name(r.tailnet, "tailXXXX.ts.net"), domain: name(r.domain, "example.com") };
}

/** An example value for each key without a default, shown when it is missing. */
function exampleOf(key: string, raw: unknown): string | undefined {
    const { tailnet, domain } = namesOf(raw);
    const examples: Record<string, string> = {
        "stalwart.image": "stalwartlabs/stalwart:v0.16.18",
        "mailbox.dockerHost": `ssh://deploy@mailbox.${tailnet}`,
        "edge.dockerHost": `ssh://deploy@edge.${domain}`,
        "postgres.host": `postgres.${tailnet}`,
        "redis.url": `redis://redis.${tailnet}:6379/3`,
        "garage.s3Endpoint": `http://garage.${tailnet}:3900`,
        "garage.adminEndpoint": `http://garage.${tailnet}:3903`,
        "backup.schedule": '"0 3 * * *"',
        "backup.retention": "7",
    };
    return examples[key];
}

/** The issues for a missing key: one per required key inside when it is a block (`redis` → redis.url), each with an example. */
function requiredIssues(path: string[], raw: unknown): ConfigIssue[] {
    const needed = requiredKeys(path);
    if (needed.length > 0) return needed.flatMap((k) => requiredIssues([...path, k], raw));
    const key = path.join(".");
    const pem = /dockerTls\.(caCert|cert|key)$/.exec(key)?.[1];
    if (pem) {
        const value = `"$(cat ${pem === "caCert" ? "ca" : pem}.pem)"`;
        const set = pem === "key" ? setSecretCommand(key, value) : `pulumi config set --path tailwart:${key} ${value}`;
        return [{ path: key, message: `${key} is required with the other TLS files; set it with \`${set}\`` }];
    }
    const example = exampleOf(key, raw);
    const set = `\`pulumi config set ${key.includes(".") ? "--path " : ""}tailwart:${key} ${example ?? "<value>"}\``;
    const secret = key === "redis.url" ? "; with a password in it, add --secret" : "";
    const message = example
        ? `${key} is required; set it, e.g. ${set}${secret} (see the README's config reference)`
        : `${key} is required; set it with ${set} (see the README's config reference)`;
    return [{ path: key, message }];
}

/** What a list's items are, for an item of the wrong type: edge.ports has "abc", which is not a port number. */
const LIST_ITEMS: Record<string, { what: string; example: string }> = {
    "edge.ports": { what: "a port number", example: "[25, 465, 587, 143, 993]" },
    "edge.dns": { what: "an IP address", example: "[100.100.100.100]" },
    "edge.tags": { what: "a Tailscale tag", example: "[tag:reverse-proxy]" },
    "mailbox.tags": { what: "a Tailscale tag", example: "[tag:stalwart]" },
    "tailscale.operators": { what: "a policy principal", example: "[autogroup:admin]" },
    "tailscale.tagOwners": { what: "a policy principal", example: "[autogroup:admin]" },
    "acme.contact": { what: "an email address", example: "[postmaster@example.com]" },
};

/** What to write instead, for a key given a value of the wrong type. */
const TYPE_HINTS: Record<string, string> = {
    backup: 'write it as { schedule, retention, target }, e.g. { schedule: "0 3 * * *", retention: 7, target: { volume: stalwart-backups } }',
    "backup.target": TARGET_FORMS,
    "backup.schedule": `write e.g. ${SCHEDULE_EXAMPLES}`,
    // its message already says what to write (a whole number is a type in zod)
    "backup.retention": "",
};

/** Unknown keys this contract knows to refuse with a reason of their own. */
const UNSUPPORTED_KEYS: Record<string, string> = {
    "tailscale.authKey":
        "tailscale.authKey (a pre-made auth key) is not supported: the sidecar's key is minted per deploy (tailscale.auth: tailnetKey) or by an OAuth client (tailscale.auth: oauth with tailscale.oauthClientSecret); remove it",
};

function zodIssues(error: z.ZodError, raw: unknown): ConfigIssue[] {
    return error.issues.flatMap((i): ConfigIssue[] => {
        const base = pathOf(i.path);
        if (i.code === "unrecognized_keys") {
            return i.keys.map((k) => {
                const path = base ? `${base}.${k}` : k;
                return {
                    path,
                    message:
                        UNSUPPORTED_KEYS[path] ??
                        `unknown key ${clip(path)}; remove it or check its spelling against the README's config reference`,
                };
            });
        }
        const path = base || "(root)";
        const shownPath = shownPathOf(i.path) || "(root)";
        const value = valueAt(raw, i.path);
        if (value === undefined) return requiredIssues(i.path.filter((p) => typeof p !== "number").map(String), raw);
        const item = LIST_ITEMS[path];
        if (item && i.code === "invalid_type" && typeof i.path[i.path.length - 1] === "number") {
            return [
                { path, message: `${path} has ${shown(value)}, which is not ${item.what}; write e.g. ${item.example}` },
            ];
        }
        const params = (i.code === "custom" ? i.params : undefined) as
            | { secret?: boolean; example?: string }
            | undefined;
        if (params?.secret === SECRET_PARAMS.secret) {
            return [
                {
                    path,
                    message: `${shownPath} ${i.message}; set it with \`${setSecretCommand(path, params.example)}\``,
                },
            ];
        }
        const detail = lowerFirst(i.message.replace(/^Invalid input: /, ""));
        const typeHint = TYPE_HINTS[path] ?? "check the value's type in Pulumi.<stack>.yaml";
        const hint = i.code === "invalid_type" && typeHint !== "" ? `; ${typeHint}` : "";
        return [{ path, message: `${shownPath} ${detail}${hint}` }];
    });
}

/** Paths with a shape problem (unknown keys aside: the lenient parse drops those); rules reading them are skipped. */
const badPaths = (error: z.ZodError | undefined): string[] =>
    (error?.issues ?? []).filter((i) => i.code !== "unrecognized_keys").map((i) => pathOf(i.path));

/**
 * Checks a stack config (or an object built in code, {@link SettingsInput}) and resolves every
 * default and derived value; throws one {@link ConfigError} listing every problem.
 *
 * @param raw the `config:` map of `Pulumi.<stack>.yaml` with the `tailwart:` prefix removed, values as YAML
 *   parses them; keys of other namespaces (containing ":") are ignored.
 * @param stack the stack name: `prod` and `dev` pin the ACME directory.
 */
export function parseSettings(raw: Record<string, unknown>, stack: string): Settings {
    // Tolerate keys still carrying the project's prefix; other namespaces (tailscale:*, …) are not ours.
    const own = Object.fromEntries(
        Object.entries(raw ?? {})
            .map(([k, v]) => [k.startsWith("tailwart:") ? k.slice("tailwart:".length) : k, v] as const)
            .filter(([k]) => !k.includes(":")),
    );
    const strict = settingsSchema.safeParse(own);
    // Every field missing or ill-typed is left undefined here, so the rules run on everything else.
    const lenient = (strict.success ? strict.data : lenientSettingsSchema.parse(own)) as RawSettings;
    const bad = badPaths(strict.error);
    const issues = [
        ...(strict.success ? [] : zodIssues(strict.error, own)),
        ...runRules([...RULES, ...BACKUP_RULES], lenient, stack, bad),
    ];
    if (issues.length > 0 || !strict.success) throw new ConfigError(issues, stack);
    const s = strict.data;
    // one canonical spelling per address, as Stalwart prints them back (no diff on the next deploy)
    if (s.edge.tailnetAddresses !== undefined) s.edge.tailnetAddresses = edgeAddresses(s.edge.tailnetAddresses);

    const mailboxFqdn = `${s.mailbox.tailscaleHostname}.${s.tailnet.replace(/\.$/, "")}`;
    const directory = resolveAcmeDirectory(s.acme.directory, stack);
    const redisText = clearText(s.redis.url);
    return {
        ...s,
        stack,
        acme: {
            ...s.acme,
            challenge: resolveAcmeChallenge(s),
            directory: directory.directory,
            directoryUrl: directory.url,
            directoryKind: directory.kind,
            contact: [...new Set(s.acme.contact ?? [`postmaster@${s.domain}`])],
        },
        tailscale: {
            ...s.tailscale,
            auth: s.tailscale.auth ?? (s.tailscale.oauthClientSecret ? "oauth" : "tailnetKey"),
        },
        stalwart: {
            ...s.stalwart,
            publicUrl: s.stalwart.publicUrl ?? `https://${s.hostname}`,
            managementUrl: s.stalwart.managementUrl ?? `http://${mailboxFqdn}:${MANAGEMENT_PORT}`,
        },
        backup: resolveBackup(s.backup, s.garage.keyName),
        mailboxFqdn,
        endpoints: {
            redis: redisText === undefined ? undefined : { ...parseRedisUrl(redisText).target!, url: s.redis.url },
            garageS3: parseEndpoint(s.garage.s3Endpoint, ["http", "https"]).endpoint!,
            garageAdmin: parseEndpoint(s.garage.adminEndpoint, ["http", "https"]).endpoint!,
        },
        warnings: [...runRules(WARNINGS, s, stack, []), ...handOffWarnings(s, raw)],
    };
}

/** The Pulumi config key holding the automation API key the x:* providers sign in with. */
export const STALWART_TOKEN_KEY = "stalwart:token";

/**
 * The recovery admin is for the first up only: once `stalwart:token` holds the API key that up
 * minted, keeping STALWART_RECOVERY_ADMIN leaves a standing backdoor (Stalwart honours it in every mode).
 */
function handOffWarnings(s: RawSettings, raw: Record<string, unknown>): ConfigIssue[] {
    if (!s.stalwart.recoveryAdmin || raw?.[STALWART_TOKEN_KEY] === undefined) return [];
    return [
        {
            path: "stalwart.recoveryAdmin",
            message:
                "stalwart.recoveryAdmin is still set while stalwart:token holds an API key: the recovery admin is honoured in every mode, a standing backdoor; remove it (`pulumi config rm stalwart:user; pulumi config rm stalwart:password; pulumi config rm --path tailwart:stalwart.recoveryAdmin`) and `pulumi up` to replace the container without it",
        },
    ];
}
