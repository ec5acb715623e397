/**
 * Where the provider finds the Stalwart endpoint and credentials: the official CLI's environment
 * variables first (so a destroy still works after a rotation), then the `stalwart:*` Pulumi config
 * the dynamic-provider host hands to `configure`. Never from resource inputs, so no credential is
 * ever stored in a resource's state. `source` names the origin for error messages, never a value.
 */

export interface StalwartConfig {
    url?: string;
    token?: string;
    user?: string;
    password?: string;
}

export interface StalwartConnection {
    /** base URL without a trailing slash; requests go to `<url>/jmap` */
    url: string;
    /** full Authorization header value */
    authorization: string;
    /** e.g. "env STALWART_TOKEN" or "config stalwart:user/stalwart:password" */
    source: string;
}

const present = (v: string | undefined): v is string => typeof v === "string" && v !== "";

export function resolveConnection(env: Record<string, string | undefined>, config: StalwartConfig): StalwartConnection {
    const url = present(env.STALWART_URL) ? env.STALWART_URL : config.url;
    if (!present(url)) {
        throw new Error("Stalwart endpoint unknown: set STALWART_URL or the Pulumi config stalwart:url (e.g. http://127.0.0.1:8080).");
    }
    const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;
    let authorization: string;
    let source: string;
    if (present(env.STALWART_TOKEN)) {
        authorization = `Bearer ${env.STALWART_TOKEN}`;
        source = "env STALWART_TOKEN";
    } else if (present(env.STALWART_USER) && present(env.STALWART_PASSWORD)) {
        authorization = basic(env.STALWART_USER, env.STALWART_PASSWORD);
        source = "env STALWART_USER/STALWART_PASSWORD";
    } else if (present(config.token)) {
        authorization = `Bearer ${config.token}`;
        source = "config stalwart:token";
    } else if (present(config.user) && present(config.password)) {
        authorization = basic(config.user, config.password);
        source = "config stalwart:user/stalwart:password";
    } else {
        throw new Error(
            "Stalwart credentials missing: set STALWART_TOKEN (an API_… key) or STALWART_USER and STALWART_PASSWORD, " +
                "or the secret Pulumi config stalwart:token or stalwart:user and stalwart:password.",
        );
    }
    return { url: url.replace(/\/+$/, ""), authorization, source };
}

/** Reads the `stalwart:*` keys from the config object the host passes to `configure`. */
export function configFrom(get: (key: string) => unknown): StalwartConfig {
    const pick = (key: string) => {
        const v = get(`stalwart:${key}`);
        return typeof v === "string" ? v : undefined;
    };
    return { url: pick("url"), token: pick("token"), user: pick("user"), password: pick("password") };
}
