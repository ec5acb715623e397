import { shown } from "./mask";

/**
 * URLs a stack names for the outside world: the public URL users and OAuth clients are sent to,
 * and ACME directories, which are compared to Let's Encrypt's in one normal form so that no
 * spelling (`:443`, a trailing `?` or dot, `//directory`) slips past the staging/production guard.
 */

/** Percent-escapes of unreserved characters (letters, digits, - . _ ~) mean the character itself. */
const decodeUnreserved = (path: string) =>
    path.replace(/%([0-9a-f]{2})/gi, (all, hex: string) =>
        /[A-Za-z0-9\-._~]/.test(String.fromCharCode(parseInt(hex, 16))) ? String.fromCharCode(parseInt(hex, 16)) : all,
    );

/**
 * An http(s) URL in the one form ACME directories are compared in: https, the host in lower case
 * without a trailing dot, no default port, no credentials, the path with "." and ".." resolved,
 * unreserved escapes decoded, repeated and trailing "/" dropped, no query or fragment. undefined
 * when the text is no http(s) URL.
 */
export function normalizeAcmeUrl(text: string): string | undefined {
    const trimmed = text.trim();
    if (!URL.canParse(trimmed)) return undefined;
    const url = new URL(trimmed);
    if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
    const host = url.hostname.toLowerCase().replace(/\.$/, "");
    const port =
        url.port === "" || url.port === "443" || (url.protocol === "http:" && url.port === "80") ? "" : `:${url.port}`;
    const path = decodeUnreserved(url.pathname)
        .replace(/\/{2,}/g, "/")
        .replace(/\/+$/, "");
    return `https://${host}${port}${path}`;
}

/**
 * stalwart.publicUrl (STALWART_PUBLIC_URL): the base of every OAuth and JMAP URL Stalwart hands to
 * clients, printed in the plan. https only, no credentials, no query, no fragment.
 */
export function publicUrlProblems(text: string): string[] {
    const trimmed = text.trim();
    const example = "e.g. https://mail.example.com";
    if (!URL.canParse(trimmed) || /\s/.test(trimmed))
        return [`${shown(trimmed)} is not a URL; write the https:// address users reach Stalwart at, ${example}`];
    const url = new URL(trimmed);
    const problems: string[] = [];
    if (url.protocol !== "https:") {
        problems.push(
            `${shown(trimmed)} uses ${shown(url.protocol.slice(0, -1))}; clients are sent to this URL for OAuth and JMAP, so it must be https://, ${example}`,
        );
        return problems;
    }
    if (url.hostname === "") problems.push(`${shown(trimmed)} has no host; ${example}`);
    if (url.username !== "" || url.password !== "") {
        problems.push(
            `${shown(trimmed)} carries credentials, which every client would be sent and the plan would print; remove the user and password, ${example}`,
        );
    }
    if (trimmed.includes("?"))
        problems.push(`${shown(trimmed)} has a query string; remove it, Stalwart appends its own paths to this base`);
    if (trimmed.includes("#")) problems.push(`${shown(trimmed)} has a fragment; remove it`);
    return problems;
}
