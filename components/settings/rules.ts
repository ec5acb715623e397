import { LISTENERS } from "../stalwart/settingsPlan";
import type { RawSettings } from "./schema";
import {
    DOCKER_HOST,
    fqdnProblem,
    parseEndpoint,
    parseImageRef,
    parseRedisUrl,
    STALWART_TAG,
    TAILSCALE_TAG,
} from "./validators";

/** One problem in a stack config: the key (dotted path under `tailwart:`) and a sentence that names the fix. */
export interface ConfigIssue {
    path: string;
    message: string;
}

export const ACME_DIRECTORIES = {
    production: "https://acme-v02.api.letsencrypt.org/directory",
    staging: "https://acme-staging-v02.api.letsencrypt.org/directory",
} as const;

/** A pitfall of the hand-built deployment, checked on the typed config. Adding one is a few lines here. */
type Rule = (s: RawSettings, stack: string) => ConfigIssue[];

const issue = (path: string, message: string): ConfigIssue[] => [{ path, message }];
const none: ConfigIssue[] = [];

const hostIsFqdn =
    (path: string, pick: (s: RawSettings) => string): Rule =>
    (s) => {
        const problem = fqdnProblem(pick(s));
        return problem ? issue(path, `${path} ${problem}`) : none;
    };

const endpointWithPort =
    (path: string, schemes: string[], pick: (s: RawSettings) => string): Rule =>
    (s) => {
        const { problem } = parseEndpoint(pick(s), schemes);
        return problem ? issue(path, `${path}: ${problem}`) : none;
    };

/** "staging" | "production" | URL → the directory URL and which Let's Encrypt environment it is. */
export function resolveAcmeDirectory(directory: string | undefined, stack: string): { url: string; kind: "staging" | "production" | "custom" } {
    const chosen = directory ?? (stack === "prod" ? "production" : "staging");
    if (chosen === "staging" || chosen === ACME_DIRECTORIES.staging) return { url: ACME_DIRECTORIES.staging, kind: "staging" };
    if (chosen === "production" || chosen === ACME_DIRECTORIES.production) return { url: ACME_DIRECTORIES.production, kind: "production" };
    return { url: chosen, kind: "custom" };
}

export type AcmeChallenge = "tls-alpn-01" | "http-01" | "dns-01";

/** The challenge given, else the one the topology can serve; undefined when none can be served. */
export function resolveAcmeChallenge(s: RawSettings): AcmeChallenge | undefined {
    if (s.acme.challenge) return s.acme.challenge;
    if (s.edge.ports.includes(443)) return "tls-alpn-01";
    if (s.edge.ports.includes(80)) return "http-01";
    if (s.acme.dnsProvider) return "dns-01";
    return undefined;
}

export const RULES: Rule[] = [
    hostIsFqdn("domain", (s) => s.domain),
    hostIsFqdn("tailnet", (s) => s.tailnet),
    hostIsFqdn("postgres.host", (s) => s.postgres.host),
    hostIsFqdn("hostname", (s) => s.hostname),
    (s) => {
        const { problem } = parseRedisUrl(s.redis.url);
        return problem ? issue("redis.url", `redis.url: ${problem}`) : none;
    },
    endpointWithPort("garage.s3Endpoint", ["http", "https"], (s) => s.garage.s3Endpoint),
    endpointWithPort("garage.adminEndpoint", ["http", "https"], (s) => s.garage.adminEndpoint),
    (s) => {
        const { tag } = parseImageRef(s.stalwart.image);
        if (tag === undefined || tag === "latest") {
            return issue(
                "stalwart.image",
                `stalwart.image "${s.stalwart.image}" is not pinned; name an exact v0.16 release, e.g. stalwartlabs/stalwart:v0.16.18 (a moving tag can jump to 1.0, whose store and settings schema differ)`,
            );
        }
        if (!STALWART_TAG.test(tag)) {
            return issue(
                "stalwart.image",
                `stalwart.image tag "${tag}" is not a v0.16 release; use v0.16.<patch> (this project manages the v0.16 settings schema; 1.0 needs a migration)`,
            );
        }
        return none;
    },
    (s) => {
        const { tag } = parseImageRef(s.mailbox.tailscaleImage);
        return tag === undefined || tag === "latest" || tag === "stable"
            ? issue("mailbox.tailscaleImage", `mailbox.tailscaleImage "${s.mailbox.tailscaleImage}" is not pinned; name a release tag, e.g. tailscale/tailscale:v1.90.6`)
            : none;
    },
    (s) =>
        (["mailbox", "edge"] as const).flatMap((host) =>
            s[host].tags
                .filter((t) => !TAILSCALE_TAG.test(t))
                .map((t) => ({
                    path: `${host}.tags`,
                    message: `${host}.tags has "${t}", which is not a Tailscale tag; write it as tag:<name> (letters, digits, dashes), e.g. tag:stalwart`,
                })),
        ),
    (s) =>
        (["mailbox", "edge"] as const)
            .filter((h) => !DOCKER_HOST.test(s[h].dockerHost))
            .flatMap((h) =>
                issue(`${h}.dockerHost`, `${h}.dockerHost "${s[h].dockerHost}" is not a docker host URL; use ssh://user@host, unix:///var/run/docker.sock or tcp://host:2376`),
            ),
    (s) =>
        s.edge.ports
            .filter((p) => !LISTENERS[p])
            .flatMap((p) =>
                issue("edge.ports", `edge.ports has ${p}, which no Stalwart listener serves; use mail ports (${Object.keys(LISTENERS).join(", ")}), or run other services elsewhere`),
            ),
    (s) => {
        const seen = new Set<number>();
        const dup = s.edge.ports.find((p) => seen.has(p) || !seen.add(p));
        return dup !== undefined ? issue("edge.ports", `edge.ports lists ${dup} twice; list each port once`) : none;
    },
    (s) => {
        const forwards = (p: number) => s.edge.ports.includes(p);
        switch (resolveAcmeChallenge(s)) {
            case undefined:
                return issue(
                    "acme.challenge",
                    "acme.challenge: no ACME challenge can be served, so Stalwart could never get a certificate; add 443 to edge.ports (tls-alpn-01), 80 (http-01), or set acme.dnsProvider (dns-01)",
                );
            case "http-01":
                return forwards(80) ? none : issue("acme.challenge", "acme.challenge http-01 needs the edge to forward :80 to Stalwart; add 80 to edge.ports, or use dns-01 with acme.dnsProvider");
            case "tls-alpn-01":
                return forwards(443)
                    ? none
                    : issue("acme.challenge", "acme.challenge tls-alpn-01 needs the edge to forward :443 to Stalwart; add 443 to edge.ports, or use http-01 (with 80 in edge.ports) or dns-01 with acme.dnsProvider");
            case "dns-01":
                return s.acme.dnsProvider && typeof s.acme.dnsProvider["@type"] === "string"
                    ? none
                    : issue("acme.challenge", 'acme.challenge dns-01 needs acme.dnsProvider: the DNS API Stalwart updates, e.g. { "@type": "Cloudflare", secret: … }; or use http-01/tls-alpn-01');
        }
    },
    (s, stack) => {
        if (s.acme.acceptDirectoryMismatch) return none;
        const { kind } = resolveAcmeDirectory(s.acme.directory, stack);
        if (stack === "prod" && kind === "staging") {
            return issue("acme.directory", "acme.directory is the Let's Encrypt staging directory on stack prod: its certificates are not trusted; use production, or set acme.acceptDirectoryMismatch: true if this is on purpose");
        }
        if (stack === "dev" && kind === "production") {
            return issue("acme.directory", "acme.directory is Let's Encrypt production on stack dev: failed validations count against production rate limits; use staging, or set acme.acceptDirectoryMismatch: true if this is on purpose");
        }
        return none;
    },
    (s) =>
        s.acme.directory !== undefined && !["staging", "production"].includes(s.acme.directory) && !/^https:\/\/\S+$/.test(s.acme.directory)
            ? issue("acme.directory", `acme.directory "${s.acme.directory}" must be staging, production or an https:// ACME directory URL`)
            : none,
    (s) => {
        const mode = s.tailscale.auth ?? (s.tailscale.oauthClientSecret ? "oauth" : "tailnetKey");
        if (mode === "oauth" && !s.tailscale.oauthClientSecret) {
            return issue("tailscale.oauthClientSecret", "tailscale.auth is oauth but tailscale.oauthClientSecret is not set; run `pulumi config set --secret --path tailscale.oauthClientSecret tskey-client-…`");
        }
        if (mode === "tailnetKey" && s.tailscale.oauthClientSecret) {
            return issue("tailscale.auth", "tailscale.oauthClientSecret is set but tailscale.auth is tailnetKey; remove the secret or set tailscale.auth: oauth");
        }
        return none;
    },
];
