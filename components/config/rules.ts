import { isIP } from "node:net";
import { FORWARDABLE_PORTS, PORT_ROLES } from "../topology";
import { dockerHostProblems, sameDockerHost } from "./dockerHost";
import { ACME_RULES } from "./acmeRules";
import { HARDENING_RULES } from "./hardening";
import { OPERATOR_RULES } from "./operatorRules";
import { edgeImage, pinnedImage, stalwartImage } from "./images";
import { type ConfigIssue, issue, none, type Rule, rule } from "./issue";
import { shown } from "./mask";
import { type RawSettings } from "./schema";
import { clearText } from "./secret";
import { operatorProblems, tagOwnerProblems } from "./tailnet";
import {
    DNS_LABEL,
    DOCKER_NAME,
    fqdnProblem,
    HOST_PORT,
    type HostHint,
    isFqdn,
    parseEndpoint,
    parseRedisUrl,
    TAILSCALE_TAG,
} from "./validators";

export type { ConfigIssue, Rule };
export {
    ACME_DIRECTORIES,
    type AcmeChallenge,
    FALLBACK_CHALLENGE,
    resolveAcmeChallenge,
    resolveAcmeDirectory,
    servableChallenges,
} from "./acmeRules";
export { clearText };

/**
 * The pitfalls of the hand-built deployment, each a few lines, checked on the typed config. A rule
 * names the keys it reads (`needs`); it runs only when the schema found none of them missing or
 * ill-typed, so one shape error never hides the others, and a rule never sees a broken value.
 * Everything a renderer or component would refuse later (docker names, DNS labels, ports …) is
 * caught here, as one ConfigIssue among all the others.
 */

/** The stack's tailnet when it is valid, for hints that suggest `<host>.<tailnet>`. */
const tailnetOf = (s: RawSettings): string | undefined =>
    typeof s.tailnet === "string" && isFqdn(s.tailnet) ? s.tailnet.replace(/\.$/, "") : undefined;

const tailnetHint = (s: RawSettings, portKey?: string): HostHint => ({
    kind: "tailnet",
    tailnet: tailnetOf(s),
    portKey,
});

// --- names --------------------------------------------------------------------------------------

const dockerName = (path: string, value: string, what: string): ConfigIssue[] =>
    DOCKER_NAME.test(value)
        ? none
        : issue(
              path,
              `${path} ${shown(value)} is not a valid docker ${what} name; use letters, digits, "_", "." or "-", starting with a letter or digit (at least 2 characters)`,
          );

/** Names that share a namespace on one docker host: the later key of a clash gets the issue. */
function distinct(kind: string, entries: [path: string, name: string, what?: string][]): ConfigIssue[] {
    const seen = new Map<string, string>();
    return entries.flatMap(([path, name, what]) => {
        const first = seen.get(name);
        if (first === undefined) {
            seen.set(name, what ?? path);
            return none;
        }
        return issue(path, `${path} ${shown(name)} is also ${first}; give each ${kind} on the host its own name`);
    });
}

function tagList(path: string, tags: string[], example: string): ConfigIssue[] {
    if (tags.length === 0)
        return issue(
            path,
            `${path} is empty; list at least one tag, e.g. [${example}] (the policy grants and the auth key are by tag)`,
        );
    return tags
        .filter((t) => !TAILSCALE_TAG.test(t))
        .map((t) => ({
            path,
            message: `${path} has ${shown(t)}, which is not a Tailscale tag; write it as tag:<name> (letters, digits, dashes), e.g. ${example}`,
        }));
}

const principals = (path: string, values: string[]): ConfigIssue[] =>
    values
        .filter((v) => v.trim() === "" || /[\s"]/.test(v))
        .map((v) => ({
            path,
            message: `${path} has ${shown(v)}, which is not a policy principal; write e.g. autogroup:admin, group:ops or alice@example.com`,
        }));

// --- the rules ----------------------------------------------------------------------------------

const hostIsFqdn = (path: string, hint: (s: RawSettings) => HostHint, pick: (s: RawSettings) => string): Rule =>
    rule([path], (s) => {
        const problem = fqdnProblem(pick(s), hint(s));
        return problem ? issue(path, `${path} ${problem}`) : none;
    });

const endpointWithPort = (
    path: string,
    schemes: string[],
    credentials: string,
    pick: (s: RawSettings) => string | undefined,
): Rule =>
    rule([path], (s) => {
        const text = pick(s);
        if (text === undefined) return none;
        return parseEndpoint(text, schemes, { credentials, host: tailnetHint(s) }).problems.map((problem) => ({
            path,
            message: `${path} ${problem}`,
        }));
    });

export const RULES: Rule[] = [
    hostIsFqdn(
        "domain",
        () => ({ kind: "public" }),
        (s) => s.domain,
    ),
    hostIsFqdn(
        "tailnet",
        () => ({ kind: "tailnetSuffix" }),
        (s) => s.tailnet,
    ),
    hostIsFqdn(
        "hostname",
        (s) => ({
            kind: "public",
            suggest:
                typeof s.domain === "string" && isFqdn(s.domain) && !s.hostname.includes(".")
                    ? `${s.hostname}.${s.domain}`
                    : `mail.<domain>`,
        }),
        (s) => s.hostname,
    ),
    hostIsFqdn(
        "postgres.host",
        (s) => tailnetHint(s, "postgres.port"),
        (s) => s.postgres.host,
    ),
    rule(["redis.url"], (s) => {
        const text = clearText(s.redis.url);
        if (text === undefined) return none;
        return parseRedisUrl(text, tailnetHint(s)).problems.map((problem) => ({
            path: "redis.url",
            message: `redis.url ${problem}`,
        }));
    }),
    endpointWithPort(
        "garage.s3Endpoint",
        ["http", "https"],
        "Stalwart signs with the access key this program creates",
        (s) => s.garage.s3Endpoint,
    ),
    endpointWithPort(
        "garage.adminEndpoint",
        ["http", "https"],
        "the admin token is garage:adminToken or GARAGE_ADMIN_TOKEN",
        (s) => s.garage.adminEndpoint,
    ),
    endpointWithPort(
        "stalwart.managementUrl",
        ["http", "https"],
        "the x:* provider signs in with stalwart:token or stalwart:user/password",
        (s) => s.stalwart.managementUrl,
    ),
    rule(["stalwart.image"], (s) => stalwartImage(s.stalwart.image)),
    rule(["mailbox.tailscaleImage"], (s) =>
        pinnedImage("mailbox.tailscaleImage", s.mailbox.tailscaleImage, "tailscale/tailscale:v1.90.6"),
    ),
    rule(["edge.image"], (s) => (s.edge.image === undefined ? none : edgeImage(s.edge.image))),
    rule(["mailbox.tailscaleHostname"], (s) => {
        const name = s.mailbox.tailscaleHostname;
        if (!DNS_LABEL.test(name)) {
            return issue(
                "mailbox.tailscaleHostname",
                `mailbox.tailscaleHostname ${shown(name)} is not a DNS label: it becomes the device's MagicDNS name <name>.<tailnet>; use lower-case letters, digits and inner dashes, at most 63 characters, e.g. ts-stalwart`,
            );
        }
        return DOCKER_NAME.test(name)
            ? none
            : issue(
                  "mailbox.tailscaleHostname",
                  `mailbox.tailscaleHostname ${shown(name)} is also the sidecar's docker container name, which needs at least 2 characters; use e.g. ts-stalwart`,
              );
    }),
    rule(["stalwart.containerName"], (s) =>
        dockerName("stalwart.containerName", s.stalwart.containerName, "container"),
    ),
    rule(["edge.containerName"], (s) => dockerName("edge.containerName", s.edge.containerName, "container")),
    rule(["mailbox.dataVolume"], (s) => dockerName("mailbox.dataVolume", s.mailbox.dataVolume, "volume")),
    rule(["mailbox.configVolume"], (s) => dockerName("mailbox.configVolume", s.mailbox.configVolume, "volume")),
    rule(["mailbox.stateVolume"], (s) => dockerName("mailbox.stateVolume", s.mailbox.stateVolume, "volume")),
    rule(["edge.dataVolume"], (s) => dockerName("edge.dataVolume", s.edge.dataVolume, "volume")),
    // Containers and volumes are per docker host; the edge shares the mailbox's names when it runs on the same host.
    rule(
        [
            "mailbox.dockerHost",
            "edge.dockerHost",
            "mailbox.tailscaleHostname",
            "stalwart.containerName",
            "edge.containerName",
        ],
        (s) =>
            distinct("container", [
                [
                    "mailbox.tailscaleHostname",
                    s.mailbox.tailscaleHostname,
                    "the sidecar's container name (mailbox.tailscaleHostname)",
                ],
                ["stalwart.containerName", s.stalwart.containerName],
                ...(sameDockerHost(s.edge.dockerHost, s.mailbox.dockerHost)
                    ? [["edge.containerName", s.edge.containerName] as [string, string]]
                    : []),
            ]),
    ),
    rule(
        [
            "mailbox.dockerHost",
            "edge.dockerHost",
            "mailbox.dataVolume",
            "mailbox.configVolume",
            "mailbox.stateVolume",
            "edge.dataVolume",
        ],
        (s) =>
            distinct("volume", [
                ["mailbox.dataVolume", s.mailbox.dataVolume],
                ["mailbox.configVolume", s.mailbox.configVolume],
                ["mailbox.stateVolume", s.mailbox.stateVolume],
                ...(sameDockerHost(s.edge.dockerHost, s.mailbox.dockerHost)
                    ? [["edge.dataVolume", s.edge.dataVolume] as [string, string]]
                    : []),
            ]),
    ),
    rule(["mailbox.healthAddress"], (s) => {
        const address = s.mailbox.healthAddress;
        const m = HOST_PORT.exec(address);
        if (!m)
            return issue(
                "mailbox.healthAddress",
                `mailbox.healthAddress ${shown(address)} is not host:port; write e.g. 127.0.0.1:9002 or [::1]:9002`,
            );
        const port = Number(m[2]);
        return port >= 1 && port <= 65535
            ? none
            : issue(
                  "mailbox.healthAddress",
                  `mailbox.healthAddress ${shown(address)} has port ${m[2]}, outside 1-65535; use e.g. 127.0.0.1:9002`,
              );
    }),
    rule(["edge.dns"], (s) =>
        s.edge.dns
            .filter((ip) => isIP(ip) === 0)
            .map((ip) => ({
                path: "edge.dns",
                message: `edge.dns has ${shown(ip)}, which is not an IP address; Docker takes resolver addresses only, e.g. [100.100.100.100] for Tailscale's MagicDNS`,
            })),
    ),
    rule(["mailbox.tags"], (s) => tagList("mailbox.tags", s.mailbox.tags, "tag:stalwart")),
    rule(["edge.tags"], (s) => tagList("edge.tags", s.edge.tags, "tag:reverse-proxy")),
    rule(["mailbox.tags", "edge.tags"], (s) => {
        const shared = s.mailbox.tags.filter((t) => s.edge.tags.includes(t));
        return shared.length
            ? issue(
                  "edge.tags",
                  `edge.tags shares ${shared.join(", ")} with mailbox.tags; give the edge and the mailbox distinct tags, so each policy grant means one thing`,
              )
            : none;
    }),
    rule(["tailscale.tagOwners"], (s) =>
        s.tailscale.tagOwners.length === 0
            ? issue(
                  "tailscale.tagOwners",
                  "tailscale.tagOwners is empty; a tag needs an owner before keys can use it, e.g. [autogroup:admin]",
              )
            : ((malformed) =>
                  malformed.length ? malformed : tagOwnerProblems("tailscale.tagOwners", s.tailscale.tagOwners))(
                  principals("tailscale.tagOwners", s.tailscale.tagOwners),
              ),
    ),
    rule(["tailscale.operators"], (s) => {
        const malformed = principals("tailscale.operators", s.tailscale.operators);
        return malformed.length ? malformed : operatorProblems("tailscale.operators", s.tailscale.operators);
    }),
    // ssh:// and tcp:// name a full DNS name or an IP: the mailbox a tailnet host, the edge a public (or tailnet) one;
    // ssh:// without a password, tcp:// only with TLS (dockerTls), no part that ssh would read as an option
    ...(["mailbox", "edge"] as const).map((host) =>
        rule([`${host}.dockerHost`, `${host}.dockerTls`], (s) =>
            dockerHostProblems(s[host].dockerHost, {
                kind: host === "mailbox" ? "tailnet" : "public",
                tailnet: tailnetOf(s),
                domain: typeof s.domain === "string" && isFqdn(s.domain) ? s.domain.replace(/\.$/, "") : undefined,
                tlsKey: `${host}.dockerTls`,
                tls: s[host].dockerTls !== undefined,
            }).map((problem) => ({ path: `${host}.dockerHost`, message: `${host}.dockerHost ${problem}` })),
        ),
    ),
    rule(["edge.ports"], (s) => {
        const ports = s.edge.ports;
        if (ports.length === 0)
            return issue(
                "edge.ports",
                `edge.ports is empty; list the mail ports the edge forwards, e.g. [25, 465, 587, 143, 993, 443]`,
            );
        const bad = ports.filter((p) => p < 1 || p > 65535);
        if (bad.length)
            return issue(
                "edge.ports",
                `edge.ports has ${bad.join(", ")}, outside 1-65535; list TCP ports, e.g. [25, 465, 587, 143, 993, 443]`,
            );
        const seen = new Set<number>();
        const dup = ports.find((p) => seen.has(p) || !seen.add(p));
        if (dup !== undefined) return issue("edge.ports", `edge.ports lists ${dup} twice; list each port once`);
        return ports
            .filter((p) => !PORT_ROLES[p])
            .flatMap((p) =>
                issue(
                    "edge.ports",
                    `edge.ports has ${p}, which no Stalwart listener serves; use mail ports (${FORWARDABLE_PORTS.join(", ")}), or run other services elsewhere`,
                ),
            );
    }),
    ...ACME_RULES,
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
            return issue(
                "tailscale.auth",
                "tailscale.oauthClientSecret is set but tailscale.auth is tailnetKey; remove the secret or set tailscale.auth: oauth",
            );
        }
        return none;
    }),
    ...HARDENING_RULES,
    // oidc, accounts, smarthost
    ...OPERATOR_RULES,
];

/** Runs the rules whose keys are all well-formed (no shape problem at, above or below any of them). */
export function runRules(rules: Rule[], s: RawSettings, stack: string, badPaths: string[]): ConfigIssue[] {
    const overlaps = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
    return rules
        .filter((r) => !r.needs.some((n) => badPaths.some((b) => overlaps(n, b))))
        .flatMap((r) => r.check(s, stack));
}
