/**
 * Where the provider finds the Stalwart endpoint and credentials: the stack's `stalwart:*` Pulumi
 * config the dynamic-provider host hands to `configure` when it names a URL (explicit provider
 * config wins, the Pulumi convention, and a stray STALWART_URL in a shell cannot redirect a stack),
 * else the official CLI's environment variables. Credentials come from the same place as the URL
 * first, then from the other. The host reads the current config on every run, so a rotated secret
 * set with `pulumi config set --secret` also serves `pulumi destroy`. Never from resource inputs,
 * so no credential is ever stored in a resource's state. `source` names the origin, never a value.
 */

export interface StalwartConfig {
    url?: string;
    token?: string;
    user?: string;
    password?: string;
    /** `stalwart:requestTimeoutMs`: how long one request may take (default 30 s) */
    requestTimeoutMs?: string;
}

export interface StalwartConnection {
    /** base URL without a trailing slash; requests go to `<url>/jmap` */
    url: string;
    /** full Authorization header value */
    authorization: string;
    /** e.g. "env STALWART_TOKEN" or "config stalwart:user/stalwart:password" */
    source: string;
    /** per-request timeout in ms, when the config or environment sets one (else jmap.ts's default) */
    timeoutMs?: number;
}

const present = (v: string | undefined): v is string => typeof v === "string" && v !== "";

export function resolveConnection(env: Record<string, string | undefined>, config: StalwartConfig): StalwartConnection {
    const fromConfig = present(config.url);
    const url = fromConfig ? config.url : env.STALWART_URL;
    if (!present(url)) {
        throw new Error(
            "Stalwart endpoint unknown: set the Pulumi config stalwart:url or STALWART_URL (e.g. http://127.0.0.1:8080).",
        );
    }
    const basic = (user: string, password: string) =>
        `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;
    /** Bearer for a token, else Basic for a user and password, from one place; undefined when it has neither. */
    const credentialsIn = (
        names: Record<"token" | "user" | "password", string>,
        v: StalwartConfig,
    ): [string, string] | undefined =>
        present(v.token)
            ? [`Bearer ${v.token}`, names.token]
            : present(v.user) && present(v.password)
              ? [basic(v.user, v.password), `${names.user}/${names.password}`]
              : undefined;
    const envCredentials = () =>
        credentialsIn(
            { token: "env STALWART_TOKEN", user: "env STALWART_USER", password: "STALWART_PASSWORD" },
            { token: env.STALWART_TOKEN, user: env.STALWART_USER, password: env.STALWART_PASSWORD },
        );
    const configCredentials = () =>
        credentialsIn(
            { token: "config stalwart:token", user: "config stalwart:user", password: "stalwart:password" },
            config,
        );
    // the other source's credentials only when it names no other server: a token is sent where its URL points
    const sameServer = (other: string | undefined) =>
        !present(other) || other.replace(/\/+$/, "") === url.replace(/\/+$/, "");
    const found = fromConfig
        ? (configCredentials() ?? (sameServer(env.STALWART_URL) ? envCredentials() : undefined))
        : (envCredentials() ?? (sameServer(config.url) ? configCredentials() : undefined));
    if (!found) {
        throw new Error(
            "Stalwart credentials missing: set the secret Pulumi config stalwart:token (an API_… key) or stalwart:user and stalwart:password, " +
                "or STALWART_TOKEN or STALWART_USER and STALWART_PASSWORD.",
        );
    }
    const timeoutMs = requestTimeout(config.requestTimeoutMs, env.STALWART_REQUEST_TIMEOUT_MS);
    return {
        url: url.replace(/\/+$/, ""),
        authorization: found[0],
        source: found[1],
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
    };
}

/** The stack's `stalwart:requestTimeoutMs`, else env STALWART_REQUEST_TIMEOUT_MS (decision 008): a whole number of ms. */
function requestTimeout(fromConfig: string | undefined, fromEnv: string | undefined): number | undefined {
    const [raw, name] = present(fromConfig)
        ? [fromConfig, "config stalwart:requestTimeoutMs"]
        : [fromEnv, "env STALWART_REQUEST_TIMEOUT_MS"];
    if (!present(raw)) return undefined;
    const ms = Number(raw);
    if (!Number.isInteger(ms) || ms < 100)
        throw new Error(
            `${name} is ${JSON.stringify(raw)}: set a whole number of milliseconds of at least 100 (default 30000).`,
        );
    return ms;
}

/** Reads the `stalwart:*` keys from the config object the host passes to `configure`. */
export function configFrom(get: (key: string) => unknown): StalwartConfig {
    const pick = (key: string) => {
        const v = get(`stalwart:${key}`);
        return typeof v === "string" ? v : undefined;
    };
    const timeout = get("stalwart:requestTimeoutMs");
    const requestTimeoutMs = typeof timeout === "number" ? String(timeout) : pick("requestTimeoutMs");
    return {
        url: pick("url"),
        token: pick("token"),
        user: pick("user"),
        password: pick("password"),
        ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
    };
}
