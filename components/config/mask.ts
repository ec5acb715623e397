/**
 * How a config value may appear in anything a person reads (messages, the plan, the report): URL
 * credentials masked, and never more than MAX_SHOWN characters of it. Every message that shows a
 * value goes through `shown`, so a pasted token or a 200 KB value cannot flood a terminal or a CI
 * log, and a password never reaches one.
 */

/** Characters of a value a message shows at most; the rest is counted, not printed. */
export const MAX_SHOWN = 200;

/** Query keys whose values may be shown: harmless options. Every other query value is masked. */
const SHOWN_QUERY_KEYS = new Set(["protocol"]);

/** a=1&pw=x → a=***&pw=***; protocol=resp3 stays. */
export const maskQuery = (query: string): string =>
    query.replace(/(^|&)([^=&#]*)=([^&#]*)/g, (all, sep: string, key: string) =>
        SHOWN_QUERY_KEYS.has(key.toLowerCase()) ? all : `${sep}${key}=***`,
    );

/** Splits scheme://[userinfo@]rest; userinfo runs to the last "@", so a stray "@" in a password is still masked. */
export function splitUserinfo(text: string): { prefix: string; userinfo?: string; rest: string } | undefined {
    const m = /^([a-z][a-z0-9+.-]*:\/\/)(.*)$/is.exec(text);
    if (!m) return undefined;
    const [, prefix, after] = m as unknown as [string, string, string];
    const at = after.lastIndexOf("@");
    return at < 0 ? { prefix, rest: after } : { prefix, userinfo: after.slice(0, at), rest: after.slice(at + 1) };
}

/**
 * A user name that may be shown (ssh://deploy@host): short and made of name characters. Anything
 * else in the user part (a token pasted as the user of a Redis URL) is masked like a password.
 */
const SHOWABLE_USER = /^[a-z_][a-z0-9_.-]{0,31}$/i;

/**
 * The URL with its password, a token-like user and every query value but harmless options
 * replaced by `***`. A user name alone stays (ssh://deploy@host).
 */
export function maskUrl(text: string): string {
    const parts = splitUserinfo(text);
    // user:password@host without a scheme; an image's tag before its @sha256: digest is no password
    if (!parts) return text.replace(/:[^:@\s/]+@(?![a-z0-9]+:[0-9a-f]{6,})/gi, ":***@");
    let out = parts.prefix;
    if (parts.userinfo !== undefined) {
        const colon = parts.userinfo.indexOf(":");
        const user = colon < 0 ? parts.userinfo : parts.userinfo.slice(0, colon);
        const shownUser = user === "" || SHOWABLE_USER.test(user) ? user : "***";
        out += `${colon < 0 ? shownUser : `${shownUser}:***`}@`;
    }
    const q = parts.rest.indexOf("?");
    if (q < 0) return out + parts.rest;
    const hash = parts.rest.indexOf("#", q);
    const query = hash < 0 ? parts.rest.slice(q + 1) : parts.rest.slice(q + 1, hash);
    return `${out}${parts.rest.slice(0, q + 1)}${maskQuery(query)}${hash < 0 ? "" : parts.rest.slice(hash)}`;
}

/** Does the URL carry credentials (a password, a token-like user, a query value)? Such a URL is a secret as a whole. */
export function hasCredentials(text: string): boolean {
    return maskUrl(text) !== text;
}

/** At most MAX_SHOWN characters of a text, with how many more there were. */
export function clip(text: string): string {
    const chars = [...text];
    return chars.length <= MAX_SHOWN
        ? text
        : `${chars.slice(0, MAX_SHOWN).join("")}… (${chars.length - MAX_SHOWN} more characters)`;
}

/**
 * A value as a message shows it: quoted and escaped, URL credentials masked, clipped to MAX_SHOWN characters.
 * A Secret shows its own mask; an object or a number its JSON.
 */
export function shown(value: unknown): string {
    // JSON quoting: a newline or a control character in a value cannot forge a line of the report
    if (typeof value === "string") return JSON.stringify(clip(maskUrl(value)));
    let text: string;
    try {
        text = JSON.stringify(value) ?? String(value);
    } catch {
        text = String(value);
    }
    return clip(maskUrl(text));
}
