/**
 * The stack config contract: `parseSettings(raw, stack)` turns the `tailwart:` map of a
 * Pulumi.<stack>.yaml into typed Settings, or throws one ConfigError listing every problem.
 * Shape and defaults: settings/schema.ts. Pitfall rules: settings/rules.ts.
 */
import type { z } from "zod";
import {
    ACME_DIRECTORIES,
    type AcmeChallenge,
    clearText,
    type ConfigIssue,
    resolveAcmeChallenge,
    resolveAcmeDirectory,
    RULES,
    runRules,
    WARNINGS,
} from "./settings/rules";
import { lenientSettingsSchema, type RawSettings, requiredKeys, SECRET_PARAMS, settingsSchema } from "./settings/schema";
import { Secret, setSecretCommand } from "./settings/secret";
import { type Endpoint, parseEndpoint, parseRedisUrl, type RedisTarget } from "./settings/validators";

export { ACME_DIRECTORIES, type ConfigIssue, Secret };

export class ConfigError extends Error {
    readonly issues: ConfigIssue[];

    constructor(issues: ConfigIssue[], stack?: string) {
        const where = stack ? ` in stack ${stack}` : "";
        // Every message names its key; the key is put in front only when the sentence does not start with it.
        const line = (i: ConfigIssue) => (i.message.startsWith(i.path) ? i.message : `${i.path}: ${i.message}`);
        super(`invalid tailwart config${where} (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n${issues.map((i) => `  - ${line(i)}`).join("\n")}`);
        this.name = "ConfigError";
        this.issues = issues;
    }
}

/** Typed, validated settings with every default and derived value resolved. */
export type Settings = RawSettings & {
    stack: string;
    acme: RawSettings["acme"] & { challenge: AcmeChallenge; directoryUrl: string; directoryKind: "staging" | "production" | "custom"; contact: string[] };
    tailscale: RawSettings["tailscale"] & { auth: "tailnetKey" | "oauth" };
    stalwart: RawSettings["stalwart"] & { publicUrl: string; managementUrl: string };
    /** `<tailscaleHostname>.<tailnet>`: where the edge and the operators reach Stalwart */
    mailboxFqdn: string;
    endpoints: {
        /** redis.url's parts (url: a Secret when it holds a password); undefined only when redis.url is read encrypted from the stack file (an offline plan) */
        redis: (RedisTarget & { url: string | Secret }) | undefined;
        garageS3: Endpoint;
        garageAdmin: Endpoint;
    };
    /** what deploys but deserves a look (e.g. no ACME challenge can be served yet); the plan shows them */
    warnings: ConfigIssue[];
};

const pathOf = (path: PropertyKey[]) => path.filter((p) => typeof p !== "number").map(String).join(".");
/** The path as a person reads it, list items included: edge.ports[1] */
const shownPathOf = (path: PropertyKey[]) => path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i > 0 ? "." : ""}${String(p)}`)).join("");

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
    let v = raw;
    for (const p of path) {
        if (typeof v !== "object" || v === null) return undefined;
        v = (v as Record<PropertyKey, unknown>)[p];
    }
    return v;
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

function requiredMessage(path: PropertyKey[]): string {
    const key = pathOf(path);
    const needed = requiredKeys(path.map(String));
    const set = (k: string) => `\`pulumi config set ${k.includes(".") ? "--path " : ""}tailwart:${k} <value>\``;
    if (needed.length > 0) {
        const keys = needed.map((k) => `${key}.${k}`);
        return `${key} is required: set ${keys.join(" and ")}, e.g. ${set(keys[0]!)} (see the README's config reference)`;
    }
    return `${key} is required; set it with ${set(key)} (see the README's config reference)`;
}

function zodIssues(error: z.ZodError, raw: unknown): ConfigIssue[] {
    return error.issues.flatMap((i): ConfigIssue[] => {
        const base = pathOf(i.path);
        if (i.code === "unrecognized_keys") {
            return i.keys.map((k) => {
                const path = base ? `${base}.${k}` : k;
                return { path, message: `unknown key ${path}; remove it or check its spelling against the README's config reference` };
            });
        }
        const path = base || "(root)";
        const shown = shownPathOf(i.path) || "(root)";
        if (valueAt(raw, i.path) === undefined) return [{ path, message: requiredMessage(i.path) }];
        const params = (i.code === "custom" ? i.params : undefined) as { secret?: boolean; example?: string } | undefined;
        if (params?.secret === SECRET_PARAMS.secret) {
            return [{ path, message: `${shown} ${i.message}; set it with \`${setSecretCommand(path, params.example)}\`` }];
        }
        const detail = lowerFirst(i.message.replace(/^Invalid input: /, ""));
        const hint = i.code === "invalid_type" ? "; check the value's type in Pulumi.<stack>.yaml" : "";
        return [{ path, message: `${shown} ${detail}${hint}` }];
    });
}

/** Paths with a shape problem (unknown keys aside: the lenient parse drops those); rules reading them are skipped. */
const badPaths = (error: z.ZodError | undefined): string[] =>
    (error?.issues ?? []).filter((i) => i.code !== "unrecognized_keys").map((i) => pathOf(i.path));

/**
 * @param raw the `config:` map of Pulumi.<stack>.yaml with the `tailwart:` prefix removed, values as YAML
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
    const issues = [...(strict.success ? [] : zodIssues(strict.error, own)), ...runRules(RULES, lenient, stack, bad)];
    if (issues.length > 0 || !strict.success) throw new ConfigError(issues, stack);
    const s = strict.data;

    const mailboxFqdn = `${s.mailbox.tailscaleHostname}.${s.tailnet.replace(/\.$/, "")}`;
    const directory = resolveAcmeDirectory(s.acme.directory, stack);
    const redisText = clearText(s.redis.url);
    return {
        ...s,
        stack,
        acme: {
            ...s.acme,
            challenge: resolveAcmeChallenge(s),
            directoryUrl: directory.url,
            directoryKind: directory.kind,
            contact: [...new Set(s.acme.contact ?? [`postmaster@${s.domain}`])],
        },
        tailscale: { ...s.tailscale, auth: s.tailscale.auth ?? (s.tailscale.oauthClientSecret ? "oauth" : "tailnetKey") },
        stalwart: {
            ...s.stalwart,
            publicUrl: s.stalwart.publicUrl ?? `https://${s.hostname}`,
            managementUrl: s.stalwart.managementUrl ?? `http://${mailboxFqdn}:8080`,
        },
        mailboxFqdn,
        endpoints: {
            redis: redisText === undefined ? undefined : { ...parseRedisUrl(redisText).target!, url: s.redis.url },
            garageS3: parseEndpoint(s.garage.s3Endpoint, ["http", "https"]).endpoint!,
            garageAdmin: parseEndpoint(s.garage.adminEndpoint, ["http", "https"]).endpoint!,
        },
        warnings: runRules(WARNINGS, s, stack, []),
    };
}

