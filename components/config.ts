/**
 * The stack config contract: `parseSettings(raw, stack)` turns the `tailwart:` map of a
 * Pulumi.<stack>.yaml into typed Settings, or throws one ConfigError listing every problem.
 * Shape and defaults: settings/schema.ts. Pitfall rules: settings/rules.ts.
 */
import type { z } from "zod";
import { ACME_DIRECTORIES, type AcmeChallenge, type ConfigIssue, RULES, resolveAcmeChallenge, resolveAcmeDirectory } from "./settings/rules";
import { lenientSettingsSchema, type RawSettings, settingsSchema } from "./settings/schema";
import { Secret } from "./settings/secret";
import { type Endpoint, parseEndpoint, parseRedisUrl, type RedisTarget } from "./settings/validators";

export { ACME_DIRECTORIES, type ConfigIssue, Secret };

export class ConfigError extends Error {
    readonly issues: ConfigIssue[];

    constructor(issues: ConfigIssue[], stack?: string) {
        const where = stack ? ` in stack ${stack}` : "";
        super(`invalid tailwart config${where} (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join("\n")}`);
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
    endpoints: { redis: RedisTarget; garageS3: Endpoint; garageAdmin: Endpoint };
};

const FIELD_HINTS: Record<string, string> = {
    invalid_type: "check the value's type in Pulumi.<stack>.yaml",
};

function zodIssues(error: z.ZodError): ConfigIssue[] {
    return error.issues.flatMap((i) => {
        const base = i.path.map(String).join(".");
        if (i.code === "unrecognized_keys") {
            return i.keys.map((k) => {
                const path = base ? `${base}.${k}` : k;
                return { path, message: `unknown key ${path}; remove it or check its spelling against the README's config reference` };
            });
        }
        const path = base || "(root)";
        const missing = i.code === "invalid_type" && i.message.includes("received undefined");
        const message = missing
            ? `${path} is required; set it with \`pulumi config set --path tailwart:${path}${i.expected === "object" ? ".<key>" : ""} <value>\` (see the README's config reference)`
            : `${path} ${i.message.replace(/^Invalid input: /, "").toLowerCase()}${FIELD_HINTS[i.code] ? `; ${FIELD_HINTS[i.code]}` : ""}`;
        return [{ path, message }];
    });
}

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
    // Unknown keys alone must not hide the pitfall rules: run them on the lenient parse.
    const lenient = strict.success ? strict : lenientSettingsSchema.safeParse(own);
    const issues = [
        ...(strict.success ? [] : zodIssues(strict.error)),
        ...(lenient.success ? RULES.flatMap((rule) => rule(lenient.data, stack)) : []),
    ];
    if (issues.length > 0 || !lenient.success) throw new ConfigError(issues, stack);
    const s = lenient.data;

    const mailboxFqdn = `${s.mailbox.tailscaleHostname}.${s.tailnet.replace(/\.$/, "")}`;
    const directory = resolveAcmeDirectory(s.acme.directory, stack);
    return {
        ...s,
        stack,
        acme: { ...s.acme, challenge: resolveAcmeChallenge(s)!, directoryUrl: directory.url, directoryKind: directory.kind, contact: s.acme.contact ?? [`postmaster@${s.domain}`] },
        tailscale: { ...s.tailscale, auth: s.tailscale.auth ?? (s.tailscale.oauthClientSecret ? "oauth" : "tailnetKey") },
        stalwart: {
            ...s.stalwart,
            publicUrl: s.stalwart.publicUrl ?? `https://${s.hostname}`,
            managementUrl: s.stalwart.managementUrl ?? `http://${mailboxFqdn}:8080`,
        },
        mailboxFqdn,
        endpoints: {
            redis: parseRedisUrl(s.redis.url).target!,
            garageS3: parseEndpoint(s.garage.s3Endpoint, ["http", "https"]).endpoint!,
            garageAdmin: parseEndpoint(s.garage.adminEndpoint, ["http", "https"]).endpoint!,
        },
    };
}
