import { MANAGEMENT_PORT } from "../topology";
import { IMAGE_KEYS, lineTagWarning } from "./images";
import { type ConfigIssue, issue, none, type Rule, rule } from "./issue";
import { OPERATOR_WARNINGS } from "./operatorRules";
import { shown } from "./mask";
import { clearText, FALLBACK_CHALLENGE, resolveAcmeChallenge, servableChallenges } from "./rules";
import { type RawSettings, SECRET_KEYS } from "./schema";
import { DNS_SECRET_KEYS } from "./dnsProvider";
import { isSecret, setSecretCommand } from "./secret";
import { singleFamilyWarning } from "./tailnet";

/** Not errors: the deploy goes ahead, and the plan (and preview) shows these under "warnings". */

/** The value at a dotted path of the typed config, or undefined. */
function valueAt(s: RawSettings, path: string): unknown {
    let v: unknown = s;
    for (const key of path.split(".")) {
        if (typeof v !== "object" || v === null) return undefined;
        v = (v as Record<string, unknown>)[key];
    }
    return v;
}

/** Every secret-bearing key the stack sets, the credential fields of acme.dnsProvider included. */
const secretPaths = (s: RawSettings): string[] => [
    ...SECRET_KEYS,
    ...Object.keys(s.acme?.dnsProvider ?? {})
        .filter((k) => DNS_SECRET_KEYS.has(k))
        .map((k) => `acme.dnsProvider.${k}`),
];

/** A secret the stack file holds in clear text: anyone with the file, or its history, has it. */
function clearSecretWarnings(s: RawSettings, stack: string): ConfigIssue[] {
    return secretPaths(s).flatMap((path) => {
        const v = valueAt(s, path);
        if (!isSecret(v) || !v.inClear) return none;
        return issue(
            path,
            `${path} is in clear text in Pulumi.${stack}.yaml, where anyone who reads the file or its history has it; store it encrypted with \`${setSecretCommand(path)}\` (and rotate it if the file was ever committed)`,
        );
    });
}

export const WARNINGS: Rule[] = [
    ...(Object.keys(IMAGE_KEYS) as (keyof typeof IMAGE_KEYS)[]).map((path) =>
        rule([path], (s) => lineTagWarning(path, valueAt(s, path) as string | undefined)),
    ),
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
            ? issue(
                  "acme.dnsProvider",
                  `acme.dnsProvider is set but the ACME challenge is ${resolveAcmeChallenge(s)}, so it is not used; set acme.challenge: dns-01 to use it, or remove it`,
              )
            : none,
    ),
    rule(["acme.directory"], (s) => {
        const d = s.acme.directory;
        return d !== undefined && /^http:\/\//i.test(d)
            ? issue(
                  "acme.directory",
                  `acme.directory ${shown(d)} is plain http: fine for a local test CA (e.g. Pebble), but every other ACME server, Let's Encrypt included, serves its directory over https; use https:// unless this is a test CA`,
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
    rule(["stalwart.recoveryAdmin"], (s) =>
        s.stalwart.recoveryAdmin === undefined
            ? none
            : issue(
                  "stalwart.recoveryAdmin",
                  "stalwart.recoveryAdmin is set: STALWART_RECOVERY_ADMIN is an admin with every permission, honoured on every listener (443 included) and in normal mode; once an API key exists, retire it: `pulumi config set --secret stalwart:token API_…`, then `pulumi config rm --path tailwart:stalwart.recoveryAdmin` and `pulumi up` (docs/runbooks/first-deploy.md, step 4)",
              ),
    ),
    rule(["edge.tailnetAddresses"], (s) =>
        s.edge.tailnetAddresses === undefined
            ? issue(
                  "edge.tailnetAddresses",
                  "edge.tailnetAddresses is not set, so every mail listener takes PROXY headers from the whole tailnet (100.64.0.0/10, fd7a:115c:a1e0::/48) and any device the policy lets reach the mail ports can claim any client address; set the edge node's addresses (tailscale ip on the edge host): `pulumi config set --path tailwart:edge.tailnetAddresses '[100.x.y.z, fd7a:115c:a1e0::…]'`",
              )
            : singleFamilyWarning("edge.tailnetAddresses", s.edge.tailnetAddresses),
    ),
    rule(["stalwart.manageSettings", "edge.ports"], (s) =>
        !s.stalwart.manageSettings && (s.edge.ports.includes(443) || s.edge.ports.includes(80))
            ? issue(
                  "stalwart.manageSettings",
                  `stalwart.manageSettings is false, so x:Http.allowedEndpoints is not set and the admin console and telemetry API also answer on the forwarded ${s.edge.ports.includes(443) ? "443" : "80"}; keep manageSettings: true, or restrict them by hand to the management listener (port ${MANAGEMENT_PORT}, docs/decisions/013-management-surface.md)`,
              )
            : none,
    ),
    rule([], clearSecretWarnings),
    // oidc, accounts, smarthost
    ...OPERATOR_WARNINGS,
];
