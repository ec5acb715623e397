import { isIP } from "node:net";
import { closeMatches } from "../stalwart/schema/table";
import { FORWARDABLE_PORTS, PORT_ROLES } from "../topology";
import { DNS_PROVIDER_TYPES, type RawSettings } from "./schema";
import { isSecret, type Secret } from "./secret";
import {
    DNS_LABEL,
    dockerHostProblems,
    DOCKER_NAME,
    fqdnProblem,
    HOST_PORT,
    type HostHint,
    isFqdn,
    maskUrl,
    parseEndpoint,
    parseImageRef,
    parseRedisUrl,
    STALWART_TAG,
    TAILSCALE_TAG,
} from "./validators";

/**
 * The pitfalls of the hand-built deployment, each a few lines, checked on the typed config. A rule
 * names the keys it reads (`needs`); it runs only when the schema found none of them missing or
 * ill-typed, so one shape error never hides the others, and a rule never sees a broken value.
 * Everything a renderer or component would refuse later (docker names, DNS labels, ports …) is
 * caught here, as one ConfigIssue among all the others.
 */

/** One problem in a stack config: the key (dotted path under `tailwart:`) and a sentence that names the fix. */
export interface ConfigIssue {
    /** the key, a dotted path under `tailwart:` (e.g. `edge.ports`) */
    path: string;
    /** what is wrong and how to fix it */
    message: string;
}

/** Let's Encrypt's ACME directories, the two `acme.directory` names. */
export const ACME_DIRECTORIES = {
    /** certificates browsers trust (the `prod` stack's default) */
    production: "https://acme-v02.api.letsencrypt.org/directory",
    /** untrusted test certificates, generous rate limits (every other stack's default) */
    staging: "https://acme-staging-v02.api.letsencrypt.org/directory",
} as const;

export interface Rule {
    /** the keys (dotted paths) the rule reads; a shape problem at or around any of them skips the rule */
    needs: string[];
    check(s: RawSettings, stack: string): ConfigIssue[];
}

const rule = (needs: string[], check: Rule["check"]): Rule => ({ needs, check });
const issue = (path: string, message: string): ConfigIssue[] => [{ path, message }];
const none: ConfigIssue[] = [];

/** The value as text, when the config holds it in clear (an encrypted secret has none offline). */
export function clearText(v: string | Secret): string | undefined {
    if (!isSecret(v)) return v;
    return v.encrypted ? undefined : v.reveal();
}

/** The stack's tailnet when it is valid, for hints that suggest `<host>.<tailnet>`. */
const tailnetOf = (s: RawSettings): string | undefined =>
    typeof s.tailnet === "string" && isFqdn(s.tailnet) ? s.tailnet.replace(/\.$/, "") : undefined;

const tailnetHint = (s: RawSettings, portKey?: string): HostHint => ({ kind: "tailnet", tailnet: tailnetOf(s), portKey });

// --- ACME ---------------------------------------------------------------------------------------

const normalizeDirectoryUrl = (url: string) => url.trim().replace(/\/+$/, "").replace(/^https:\/\/[^/]+/i, (origin) => origin.toLowerCase());

/**
 * "staging" | "production" | URL → the directory URL and which Let's Encrypt environment it is
 * (trailing "/" or not), and `directory`: the setting as resolved ("staging" or "production" for a
 * name or the stack's default, the URL as given otherwise).
 */
export function resolveAcmeDirectory(directory: string | undefined, stack: string): { url: string; kind: "staging" | "production" | "custom"; directory: string } {
    const chosen = (directory ?? (stack === "prod" ? "production" : "staging")).trim();
    const name = chosen.toLowerCase();
    const normalized = normalizeDirectoryUrl(chosen);
    const named = (kind: "staging" | "production") => (name === kind ? kind : chosen);
    if (name === "staging" || normalized === ACME_DIRECTORIES.staging) return { url: ACME_DIRECTORIES.staging, kind: "staging", directory: named("staging") };
    if (name === "production" || normalized === ACME_DIRECTORIES.production) return { url: ACME_DIRECTORIES.production, kind: "production", directory: named("production") };
    return { url: chosen, kind: "custom", directory: chosen };
}

/** The ACME challenges Stalwart can answer behind the edge. */
export type AcmeChallenge = "tls-alpn-01" | "http-01" | "dns-01";

/** The challenges the topology can serve: 443 forwarded → tls-alpn-01, 80 → http-01, a dnsProvider → dns-01. */
export function servableChallenges(s: Pick<RawSettings, "edge" | "acme">): AcmeChallenge[] {
    return [
        ...(s.edge.ports.includes(443) ? ["tls-alpn-01" as const] : []),
        ...(s.edge.ports.includes(80) ? ["http-01" as const] : []),
        ...(s.acme.dnsProvider ? ["dns-01" as const] : []),
    ];
}

/** When nothing can be served and none is set: the challenge Stalwart gets, once 443 is forwarded. */
export const FALLBACK_CHALLENGE: AcmeChallenge = "tls-alpn-01";

/**
 * The challenge given, else the first one the topology can serve, else tls-alpn-01 (a warning says
 * no certificate can be issued until 443 is forwarded).
 */
export function resolveAcmeChallenge(s: Pick<RawSettings, "edge" | "acme">): AcmeChallenge {
    return s.acme.challenge ?? servableChallenges(s)[0] ?? FALLBACK_CHALLENGE;
}

const dnsProviderType = (s: RawSettings): unknown => s.acme.dnsProvider?.["@type"];

// --- images -------------------------------------------------------------------------------------

/** Whitespace or an empty part makes a reference docker cannot pull. */
const imageSyntaxProblem = (path: string, image: string): ConfigIssue[] =>
    /\s/.test(image) || /(^[:@/])|([:@/]$)/.test(image)
        ? issue(path, `${path} "${image}" is not an image reference; write it as repository:tag, e.g. ${path === "edge.image" ? "registry.example.com/caddy-l4:2.10.2" : "tailscale/tailscale:v1.90.6"}`)
        : none;

/** Pinned: a tag other than a moving one, or a digest. */
function pinnedImage(path: string, image: string, example: string, moving: string[] = ["latest"]): ConfigIssue[] {
    const syntax = imageSyntaxProblem(path, image);
    if (syntax.length) return syntax;
    const { tag, digest } = parseImageRef(image);
    if (digest || (tag !== undefined && tag !== "" && !moving.includes(tag))) return none;
    return issue(path, `${path} "${image}" is not pinned; name a release tag or a digest, e.g. ${example} ("${tag ?? "no tag"}" moves, so a restart could upgrade it silently)`);
}

function stalwartImage(image: string): ConfigIssue[] {
    const path = "stalwart.image";
    const syntax = imageSyntaxProblem(path, image);
    if (syntax.length) return syntax;
    const { repository, tag, digest } = parseImageRef(image);
    if (tag === undefined && digest) {
        return issue(
            path,
            `${path} "${image}" pins a digest but names no tag, so its version cannot be checked; add the v0.16 tag in front of the digest, e.g. ${repository}:v0.16.18@${digest}`,
        );
    }
    if (tag === undefined || tag === "" || tag === "latest") {
        return issue(
            path,
            `${path} "${image}" is not pinned; name an exact v0.16 release, e.g. stalwartlabs/stalwart:v0.16.18 (a moving tag can jump to 1.0, whose store and settings schema differ)`,
        );
    }
    if (!STALWART_TAG.test(tag)) {
        return issue(
            path,
            `${path} tag "${tag}" is not a v0.16 release; use v0.16 or v0.16.<patch>, e.g. stalwartlabs/stalwart:v0.16.18 (this project manages the v0.16 settings schema; 1.0 needs a migration)`,
        );
    }
    return none;
}

// --- names --------------------------------------------------------------------------------------

const dockerName = (path: string, value: string, what: string): ConfigIssue[] =>
    DOCKER_NAME.test(value)
        ? none
        : issue(path, `${path} "${value}" is not a valid docker ${what} name; use letters, digits, "_", "." or "-", starting with a letter or digit (at least 2 characters)`);

/** Names that share a namespace on one docker host: the later key of a clash gets the issue. */
function distinct(kind: string, entries: [path: string, name: string, what?: string][]): ConfigIssue[] {
    const seen = new Map<string, string>();
    return entries.flatMap(([path, name, what]) => {
        const first = seen.get(name);
        if (first === undefined) {
            seen.set(name, what ?? path);
            return none;
        }
        return issue(path, `${path} "${name}" is also ${first}; give each ${kind} on the host its own name`);
    });
}

function tagList(path: string, tags: string[], example: string): ConfigIssue[] {
    if (tags.length === 0) return issue(path, `${path} is empty; list at least one tag, e.g. [${example}] (the policy grants and the auth key are by tag)`);
    return tags
        .filter((t) => !TAILSCALE_TAG.test(t))
        .map((t) => ({ path, message: `${path} has "${t}", which is not a Tailscale tag; write it as tag:<name> (letters, digits, dashes), e.g. ${example}` }));
}

const principals = (path: string, values: string[]): ConfigIssue[] =>
    values
        .filter((v) => v.trim() === "" || /[\s"]/.test(v))
        .map((v) => ({ path, message: `${path} has "${v}", which is not a policy principal; write e.g. autogroup:admin, group:ops or alice@example.com` }));

// --- the rules ----------------------------------------------------------------------------------

const hostIsFqdn = (path: string, hint: (s: RawSettings) => HostHint, pick: (s: RawSettings) => string): Rule =>
    rule([path], (s) => {
        const problem = fqdnProblem(pick(s), hint(s));
        return problem ? issue(path, `${path} ${problem}`) : none;
    });

const endpointWithPort = (path: string, schemes: string[], credentials: string, pick: (s: RawSettings) => string | undefined): Rule =>
    rule([path], (s) => {
        const text = pick(s);
        if (text === undefined) return none;
        return parseEndpoint(text, schemes, { credentials, host: tailnetHint(s) }).problems.map((problem) => ({ path, message: `${path} ${problem}` }));
    });

export const RULES: Rule[] = [
    hostIsFqdn("domain", () => ({ kind: "public" }), (s) => s.domain),
    hostIsFqdn("tailnet", () => ({ kind: "tailnetSuffix" }), (s) => s.tailnet),
    hostIsFqdn(
        "hostname",
        (s) => ({ kind: "public", suggest: typeof s.domain === "string" && isFqdn(s.domain) && !s.hostname.includes(".") ? `${s.hostname}.${s.domain}` : `mail.<domain>` }),
        (s) => s.hostname,
    ),
    hostIsFqdn("postgres.host", (s) => tailnetHint(s, "postgres.port"), (s) => s.postgres.host),
    rule(["redis.url"], (s) => {
        const text = clearText(s.redis.url);
        if (text === undefined) return none;
        return parseRedisUrl(text, tailnetHint(s)).problems.map((problem) => ({ path: "redis.url", message: `redis.url ${problem}` }));
    }),
    endpointWithPort("garage.s3Endpoint", ["http", "https"], "Stalwart signs with the access key this program creates", (s) => s.garage.s3Endpoint),
    endpointWithPort("garage.adminEndpoint", ["http", "https"], "the admin token is garage:adminToken or GARAGE_ADMIN_TOKEN", (s) => s.garage.adminEndpoint),
    endpointWithPort("stalwart.managementUrl", ["http", "https"], "the x:* provider signs in with stalwart:token or stalwart:user/password", (s) => s.stalwart.managementUrl),
    rule(["stalwart.image"], (s) => stalwartImage(s.stalwart.image)),
    rule(["mailbox.tailscaleImage"], (s) => pinnedImage("mailbox.tailscaleImage", s.mailbox.tailscaleImage, "tailscale/tailscale:v1.90.6", ["latest", "stable", "unstable"])),
    rule(["edge.image"], (s) => (s.edge.image === undefined ? none : pinnedImage("edge.image", s.edge.image, "registry.example.com/caddy-l4:2.10.2"))),
    rule(["mailbox.tailscaleHostname"], (s) => {
        const name = s.mailbox.tailscaleHostname;
        if (!DNS_LABEL.test(name)) {
            return issue(
                "mailbox.tailscaleHostname",
                `mailbox.tailscaleHostname "${name}" is not a DNS label: it becomes the device's MagicDNS name <name>.<tailnet>; use lower-case letters, digits and inner dashes, at most 63 characters, e.g. ts-stalwart`,
            );
        }
        return DOCKER_NAME.test(name)
            ? none
            : issue("mailbox.tailscaleHostname", `mailbox.tailscaleHostname "${name}" is also the sidecar's docker container name, which needs at least 2 characters; use e.g. ts-stalwart`);
    }),
    rule(["stalwart.containerName"], (s) => dockerName("stalwart.containerName", s.stalwart.containerName, "container")),
    rule(["edge.containerName"], (s) => dockerName("edge.containerName", s.edge.containerName, "container")),
    rule(["mailbox.dataVolume"], (s) => dockerName("mailbox.dataVolume", s.mailbox.dataVolume, "volume")),
    rule(["mailbox.configVolume"], (s) => dockerName("mailbox.configVolume", s.mailbox.configVolume, "volume")),
    rule(["mailbox.stateVolume"], (s) => dockerName("mailbox.stateVolume", s.mailbox.stateVolume, "volume")),
    rule(["edge.dataVolume"], (s) => dockerName("edge.dataVolume", s.edge.dataVolume, "volume")),
    // Containers and volumes are per docker host; the edge shares the mailbox's names when it runs on the same host.
    rule(["mailbox.dockerHost", "edge.dockerHost", "mailbox.tailscaleHostname", "stalwart.containerName", "edge.containerName"], (s) =>
        distinct("container", [
            ["mailbox.tailscaleHostname", s.mailbox.tailscaleHostname, "the sidecar's container name (mailbox.tailscaleHostname)"],
            ["stalwart.containerName", s.stalwart.containerName],
            ...(s.edge.dockerHost === s.mailbox.dockerHost ? [["edge.containerName", s.edge.containerName] as [string, string]] : []),
        ]),
    ),
    rule(["mailbox.dockerHost", "edge.dockerHost", "mailbox.dataVolume", "mailbox.configVolume", "mailbox.stateVolume", "edge.dataVolume"], (s) =>
        distinct("volume", [
            ["mailbox.dataVolume", s.mailbox.dataVolume],
            ["mailbox.configVolume", s.mailbox.configVolume],
            ["mailbox.stateVolume", s.mailbox.stateVolume],
            ...(s.edge.dockerHost === s.mailbox.dockerHost ? [["edge.dataVolume", s.edge.dataVolume] as [string, string]] : []),
        ]),
    ),
    rule(["mailbox.healthAddress"], (s) => {
        const address = s.mailbox.healthAddress;
        const m = HOST_PORT.exec(address);
        if (!m) return issue("mailbox.healthAddress", `mailbox.healthAddress "${address}" is not host:port; write e.g. 127.0.0.1:9002 or [::1]:9002`);
        const port = Number(m[2]);
        return port >= 1 && port <= 65535 ? none : issue("mailbox.healthAddress", `mailbox.healthAddress "${address}" has port ${m[2]}, outside 1-65535; use e.g. 127.0.0.1:9002`);
    }),
    rule(["edge.dns"], (s) =>
        s.edge.dns
            .filter((ip) => isIP(ip) === 0)
            .map((ip) => ({ path: "edge.dns", message: `edge.dns has "${ip}", which is not an IP address; Docker takes resolver addresses only, e.g. [100.100.100.100] for Tailscale's MagicDNS` })),
    ),
    rule(["mailbox.tags"], (s) => tagList("mailbox.tags", s.mailbox.tags, "tag:stalwart")),
    rule(["edge.tags"], (s) => tagList("edge.tags", s.edge.tags, "tag:reverse-proxy")),
    rule(["mailbox.tags", "edge.tags"], (s) => {
        const shared = s.mailbox.tags.filter((t) => s.edge.tags.includes(t));
        return shared.length
            ? issue("edge.tags", `edge.tags shares ${shared.join(", ")} with mailbox.tags; give the edge and the mailbox distinct tags, so each policy grant means one thing`)
            : none;
    }),
    rule(["tailscale.tagOwners"], (s) =>
        s.tailscale.tagOwners.length === 0
            ? issue("tailscale.tagOwners", "tailscale.tagOwners is empty; a tag needs an owner before keys can use it, e.g. [autogroup:admin]")
            : principals("tailscale.tagOwners", s.tailscale.tagOwners),
    ),
    rule(["tailscale.operators"], (s) => principals("tailscale.operators", s.tailscale.operators)),
    // ssh:// and tcp:// name a full DNS name or an IP: the mailbox a tailnet host, the edge a public (or tailnet) one
    ...(["mailbox", "edge"] as const).map((host) =>
        rule([`${host}.dockerHost`], (s) =>
            dockerHostProblems(s[host].dockerHost, {
                kind: host === "mailbox" ? "tailnet" : "public",
                tailnet: tailnetOf(s),
                domain: typeof s.domain === "string" && isFqdn(s.domain) ? s.domain.replace(/\.$/, "") : undefined,
            }).map((problem) => ({ path: `${host}.dockerHost`, message: `${host}.dockerHost ${problem}` })),
        ),
    ),
    rule(["edge.ports"], (s) => {
        const ports = s.edge.ports;
        if (ports.length === 0) return issue("edge.ports", `edge.ports is empty; list the mail ports the edge forwards, e.g. [25, 465, 587, 143, 993, 443]`);
        const bad = ports.filter((p) => p < 1 || p > 65535);
        if (bad.length) return issue("edge.ports", `edge.ports has ${bad.join(", ")}, outside 1-65535; list TCP ports, e.g. [25, 465, 587, 143, 993, 443]`);
        const seen = new Set<number>();
        const dup = ports.find((p) => seen.has(p) || !seen.add(p));
        if (dup !== undefined) return issue("edge.ports", `edge.ports lists ${dup} twice; list each port once`);
        return ports
            .filter((p) => !PORT_ROLES[p])
            .flatMap((p) =>
                issue("edge.ports", `edge.ports has ${p}, which no Stalwart listener serves; use mail ports (${FORWARDABLE_PORTS.join(", ")}), or run other services elsewhere`),
            );
    }),
    rule(["acme.dnsProvider", "acme.challenge"], (s) => {
        if (!s.acme.dnsProvider) return none;
        const type = dnsProviderType(s);
        // an explicit dns-01 without a usable provider is reported by the challenge rule
        if (typeof type !== "string") {
            return s.acme.challenge === "dns-01"
                ? none
                : issue("acme.dnsProvider", 'acme.dnsProvider has no "@type"; name the DNS API Stalwart updates, e.g. cloudflare or { "@type": "Cloudflare", secret: … }');
        }
        if (DNS_PROVIDER_TYPES.length === 0 || DNS_PROVIDER_TYPES.includes(type)) return none;
        const near = closeMatches(type, [...DNS_PROVIDER_TYPES]);
        return issue(
            "acme.dnsProvider",
            `acme.dnsProvider "@type" "${type}" is not a DNS provider Stalwart v0.16 knows; ${near.length ? `did you mean ${near.join(" or ")}? ` : ""}see x:DnsServer for the list (Cloudflare, Route53, Ovh, …)`,
        );
    }),
    rule(["edge.ports", "acme.challenge", "acme.dnsProvider"], (s) => {
        // Only a challenge set on purpose is an error; an unset one falls back with a warning (WARNINGS).
        const forwards = (p: number) => s.edge.ports.includes(p);
        switch (s.acme.challenge) {
            case undefined:
                return none;
            case "http-01":
                return forwards(80) ? none : issue("acme.challenge", "acme.challenge http-01 needs the edge to forward :80 to Stalwart; add 80 to edge.ports, or use dns-01 with acme.dnsProvider");
            case "tls-alpn-01":
                return forwards(443)
                    ? none
                    : issue("acme.challenge", "acme.challenge tls-alpn-01 needs the edge to forward :443 to Stalwart; add 443 to edge.ports, or use http-01 (with 80 in edge.ports) or dns-01 with acme.dnsProvider");
            case "dns-01":
                return typeof dnsProviderType(s) === "string"
                    ? none
                    : issue("acme.challenge", 'acme.challenge dns-01 needs acme.dnsProvider: the DNS API Stalwart updates, e.g. cloudflare or { "@type": "Cloudflare", secret: … }; or use http-01/tls-alpn-01');
        }
    }),
    rule(["acme.directory", "acme.acceptDirectoryMismatch"], (s, stack) => {
        if (s.acme.acceptDirectoryMismatch) return none;
        const { kind } = resolveAcmeDirectory(s.acme.directory, stack);
        if (stack === "prod" && kind === "staging") {
            return issue("acme.directory", "acme.directory is the Let's Encrypt staging directory on stack prod: its certificates are not trusted; use production, or set acme.acceptDirectoryMismatch: true if this is on purpose");
        }
        if (stack === "dev" && kind === "production") {
            return issue("acme.directory", "acme.directory is Let's Encrypt production on stack dev: failed validations count against production rate limits; use staging, or set acme.acceptDirectoryMismatch: true if this is on purpose");
        }
        return none;
    }),
    rule(["acme.directory"], (s) => {
        const d = s.acme.directory;
        if (d === undefined || ["staging", "production"].includes(d.toLowerCase())) return none;
        // http:// is for a local test CA (Pebble); WARNINGS flags it
        const ok = URL.canParse(d) && ((url) => /^https?:$/.test(url.protocol) && url.hostname !== "" && !/\s/.test(d) && url.password === "")(new URL(d));
        return ok
            ? none
            : issue("acme.directory", `acme.directory "${maskUrl(d)}" must be staging, production or an https:// ACME directory URL (http:// only for a local test CA such as Pebble), without credentials`);
    }),
    rule(["tailscale.oauthClientId"], (s) =>
        s.tailscale.oauthClientId !== undefined && /^tskey-/i.test(s.tailscale.oauthClientId)
            ? issue(
                  "tailscale.oauthClientId",
                  "tailscale.oauthClientId holds a key (it starts with tskey-), which would sit in clear text in the stack file; give the client's ID (e.g. k1AbCdEf2CNTRL), and set the secret with `pulumi config set --secret --path tailwart:tailscale.oauthClientSecret tskey-client-…`",
              )
            : none,
    ),
    rule(["tailscale.auth", "tailscale.oauthClientSecret"], (s) => {
        const mode = s.tailscale.auth ?? (s.tailscale.oauthClientSecret ? "oauth" : "tailnetKey");
        if (mode === "oauth" && !s.tailscale.oauthClientSecret) {
            return issue(
                "tailscale.oauthClientSecret",
                "tailscale.auth is oauth but tailscale.oauthClientSecret is not set; run `pulumi config set --secret --path tailwart:tailscale.oauthClientSecret tskey-client-…`",
            );
        }
        if (mode === "tailnetKey" && s.tailscale.oauthClientSecret) {
            return issue("tailscale.auth", "tailscale.oauthClientSecret is set but tailscale.auth is tailnetKey; remove the secret or set tailscale.auth: oauth");
        }
        return none;
    }),
];

/** Not errors: the deploy goes ahead, and the plan shows these under "warnings". */
export const WARNINGS: Rule[] = [
    rule(["stalwart.image"], (s) => {
        const { tag, digest } = parseImageRef(s.stalwart.image);
        return !digest && tag !== undefined && /^v?0\.16$/.test(tag)
            ? issue("stalwart.image", `stalwart.image "${s.stalwart.image}" follows the v0.16 line: a restart may pull a newer v0.16 patch; pin one (e.g. stalwartlabs/stalwart:v0.16.18) or add its @sha256 digest for repeatable deploys`)
            : none;
    }),
    rule(["edge.ports", "acme.challenge", "acme.dnsProvider"], (s) =>
        s.acme.challenge === undefined && servableChallenges(s).length === 0
            ? issue(
                  "acme.challenge",
                  `acme.challenge is not set and the topology can serve no ACME challenge, so Stalwart gets no certificate yet; ${FALLBACK_CHALLENGE} is configured and starts working once 443 is in edge.ports (or add 80 for http-01, or set acme.dnsProvider for dns-01)`,
              )
            : none,
    ),
    rule(["edge.ports", "acme.challenge", "acme.dnsProvider"], (s) =>
        s.acme.dnsProvider && resolveAcmeChallenge(s) !== "dns-01"
            ? issue("acme.dnsProvider", `acme.dnsProvider is set but the ACME challenge is ${resolveAcmeChallenge(s)}, so it is not used; set acme.challenge: dns-01 to use it, or remove it`)
            : none,
    ),
    rule(["acme.directory"], (s) => {
        const d = s.acme.directory;
        return d !== undefined && /^http:\/\//i.test(d)
            ? issue(
                  "acme.directory",
                  `acme.directory "${maskUrl(d)}" is plain http: fine for a local test CA (e.g. Pebble), but every other ACME server, Let's Encrypt included, serves its directory over https; use https:// unless this is a test CA`,
              )
            : none;
    }),
    rule(["redis.url"], (s) =>
        clearText(s.redis.url) === undefined
            ? issue(
                  "redis.url",
                  "redis.url is encrypted in the stack file, so its host, port and DB index are checked only when Pulumi decrypts it (pulumi preview/up), and this plan's policy fragment leaves out the Redis grant",
              )
            : none,
    ),
];

/** Runs the rules whose keys are all well-formed (no shape problem at, above or below any of them). */
export function runRules(rules: Rule[], s: RawSettings, stack: string, badPaths: string[]): ConfigIssue[] {
    const overlaps = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
    return rules.filter((r) => !r.needs.some((n) => badPaths.some((b) => overlaps(n, b)))).flatMap((r) => r.check(s, stack));
}
