/**
 * What the doctor checks against, read the way `npm run plan` and `pulumi up` read it: the
 * `tailwart:*` keys through parseSettings and buildPlan, the management API and its credentials from
 * the `stalwart:*` keys first and then the STALWART_* environment (decision 008). A value the stack
 * file holds encrypted (`secure:`) cannot be read without Pulumi; the documented environment
 * variables stand in for it (STALWART_TOKEN/USER/PASSWORD, PGPASSWORD, TAILWART_REDIS_URL), and the
 * check that needs it says so when they are unset.
 */
import { parseSettings, type Settings } from "../config";
import { buildPlan } from "../plan";
import { settingsSchema } from "../config/schema";
import { isCiphertext } from "../config/secret";
import { parseRedisUrl } from "../config/validators";
import { resolveConnection, type StalwartConfig } from "../stalwart/credentials";
import type { DoctorTarget, OidcExpectation, PostgresAdmin, StalwartAccess } from "./types";

export type Env = Record<string, string | undefined>;

const present = (v: string | undefined): v is string => typeof v === "string" && v !== "";

/** `tailwart:oidc` as far as it can be read: an object with an issuerUrl (its other fields are not the doctor's business). */
function oidcFrom(v: unknown): OidcExpectation | undefined {
    if (typeof v !== "object" || v === null) return undefined;
    const { issuerUrl } = v as { issuerUrl?: unknown };
    if (typeof issuerUrl !== "string" || issuerUrl.trim() === "") return undefined;
    return { issuerUrl: issuerUrl.trim() };
}

function stalwartAccess(config: Record<string, unknown>, settings: Settings, env: Env, file: string): StalwartAccess {
    const pick = (k: string) =>
        typeof config[`stalwart:${k}`] === "string" ? (config[`stalwart:${k}`] as string) : undefined;
    const given: StalwartConfig = {
        url: pick("url"),
        token: pick("token"),
        user: pick("user"),
        password: pick("password"),
    };
    // Without stalwart:url or STALWART_URL, the stack's own management URL (what the plan shows).
    const fallback = !present(given.url) && !present(env.STALWART_URL);
    const stalwart: StalwartConfig = fallback ? { ...given, url: settings.stalwart.managementUrl } : given;
    const url = (present(stalwart.url) ? stalwart.url : env.STALWART_URL!).replace(/\/+$/, "");
    try {
        const conn = resolveConnection(env, stalwart);
        return { url: conn.url, authorization: conn.authorization, source: `credentials from ${conn.source}` };
    } catch {
        const encrypted = ["token", "user", "password"]
            .filter((k) => isCiphertext(config[`stalwart:${k}`]))
            .map((k) => `stalwart:${k}`);
        const held = encrypted.length
            ? `${encrypted.join(", ")} ${encrypted.length === 1 ? "is" : "are"} encrypted in ${file}, and `
            : "";
        return {
            url,
            source: `no credentials: ${held}neither STALWART_TOKEN nor STALWART_USER with STALWART_PASSWORD is set`,
        };
    }
}

function postgresAdmin(settings: Settings, env: Env, file: string): PostgresAdmin {
    const secret = settings.postgres.adminPassword;
    const user = settings.postgres.adminUser;
    if (secret && !secret.encrypted)
        return { user, password: secret.reveal(), source: "password from tailwart:postgres.adminPassword" };
    if (present(env.PGPASSWORD)) return { user, password: env.PGPASSWORD, source: "password from env PGPASSWORD" };
    const why = secret
        ? `tailwart:postgres.adminPassword is encrypted in ${file}`
        : "tailwart:postgres.adminPassword is not set";
    return { user, source: `${why} and PGPASSWORD is unset` };
}

function redisTarget(settings: Settings, env: Env, file: string): DoctorTarget["redis"] {
    const known = settings.endpoints.redis;
    if (known) return { host: known.host, port: known.port };
    if (present(env.TAILWART_REDIS_URL)) {
        const parsed = parseRedisUrl(env.TAILWART_REDIS_URL);
        if (parsed.target) return { host: parsed.target.host, port: parsed.target.port };
        return { unknown: `TAILWART_REDIS_URL is not a Redis URL: ${parsed.problem}` };
    }
    return { unknown: `tailwart:redis.url is encrypted in ${file} and TAILWART_REDIS_URL is unset` };
}

/**
 * @param config the `config:` map of Pulumi.<stack>.yaml, every namespace, values as YAML parses them
 * @param file how to name the stack file in messages
 * @throws ConfigError when the tailwart config is invalid (every problem listed)
 */
export function doctorTarget(
    stack: string,
    config: Record<string, unknown>,
    env: Env,
    file = `Pulumi.${stack}.yaml`,
): DoctorTarget {
    const raw: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(config)) if (k.startsWith("tailwart:")) raw[k.slice("tailwart:".length)] = v;
    const oidc = oidcFrom(raw.oidc);
    // Read leniently until the config schema defines it: the key is then parsed with the rest.
    if (!("oidc" in settingsSchema.shape)) delete raw.oidc;
    const settings = parseSettings(raw, stack);
    return {
        stack,
        settings,
        plan: buildPlan(settings),
        stalwart: stalwartAccess(config, settings, env, file),
        postgresAdmin: postgresAdmin(settings, env, file),
        redis: redisTarget(settings, env, file),
        ...(oidc ? { oidc } : {}),
    };
}
