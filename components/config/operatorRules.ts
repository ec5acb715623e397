/**
 * The rules of the keys an operator configures after the containers (oidc, accounts, smarthost,
 * stalwart.objects): what the server would refuse, or silently ignore, caught at plan time. Same
 * shape as rules.ts's rules (RULES and WARNINGS list these after their own); kept apart so each file stays short.
 */
import { isIP } from "node:net";
import { AUTOMATION_ACCOUNT } from "../topology";
import { type ConfigIssue, issue, none, type Rule, rule } from "./issue";
import type { RawSettings } from "./schema";
import { isSecret, type Secret } from "./secret";
import { fqdnProblem, hasCredentials, maskUrl } from "./validators";

/** The client id the Stalwart web UI bundle uses for its login (a build-time constant of the web UI). */
export const WEBUI_CLIENT_ID = "stalwart-webui";

/** A local part as Stalwart stores it: lower case; letters, digits and . _ + - inside. */
const LOCAL_PART = /^[a-z0-9](?:[a-z0-9._+-]*[a-z0-9_+-])?$/;
/** A PHC-style password hash ($scheme$…): only argon2id is passed through as given. */
const PHC = /^\$[a-z0-9-]+\$/i;
const ARGON2ID = /^\$argon2id\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}$/;

/** The clear value of a secret the config holds decrypted; undefined when it is ciphertext (an offline plan). */
const clear = (v: Secret | undefined): string | undefined =>
    v && isSecret(v) && !v.encrypted ? v.reveal() : undefined;

/** "alice", or "alice@example.org" in `domain` → [local part, domain]. */
export function splitAddress(text: string, domain: string): [string, string] {
    const at = text.lastIndexOf("@");
    return at < 0
        ? [text.trim().toLowerCase(), domain]
        : [
              text.slice(0, at).trim().toLowerCase(),
              text
                  .slice(at + 1)
                  .trim()
                  .toLowerCase()
                  .replace(/\.$/, ""),
          ];
}

/** What a password value problem is, if any: a foreign hash, a malformed argon2id, or a plaintext Stalwart would refuse. */
export function passwordProblem(value: string): string | undefined {
    if (value.startsWith("$argon2id$"))
        return ARGON2ID.test(value)
            ? undefined
            : "starts with $argon2id$ but is not a whole argon2id hash ($argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>)";
    if (PHC.test(value))
        return `looks like a ${value.split("$")[1]} hash; only $argon2id$ hashes are stored as given: give the plaintext (hashed to argon2id at deploy) or an argon2id hash`;
    if (value.length < 8 || value.length > 128)
        return "must be 8 to 128 characters long (Stalwart's password length limits)";
    return undefined;
}

interface Principal {
    /** "accounts" or "groups": the key, and how an entry is named (accounts[0]) */
    list: "accounts" | "groups";
    name: string;
    domain?: string;
    aliases: string[];
}

/** Names, domains and aliases of accounts and groups: valid, and each address owned once. */
function addressProblems(s: RawSettings): ConfigIssue[] {
    const seen = new Map<string, string>();
    const entries: Principal[] = [
        ...s.accounts.map((a) => ({ ...a, list: "accounts" as const })),
        ...s.groups.map((g) => ({ ...g, list: "groups" as const })),
    ];
    const index = { accounts: 0, groups: 0 };
    return entries.flatMap((a): ConfigIssue[] => {
        const path = a.list;
        const at = `${a.list}[${index[a.list]++}]`;
        const [name, domain] = splitAddress(a.name, a.domain ?? s.domain);
        const out: ConfigIssue[] = [];
        if (a.domain && a.name.includes("@") && domain !== a.domain)
            out.push({
                path,
                message: `${at}.name "${a.name}" names domain ${domain} but ${at}.domain is ${a.domain}; give the local part alone in name`,
            });
        if (!LOCAL_PART.test(name))
            out.push({
                path,
                message: `${at}.name "${a.name}" is not a mailbox name; use letters, digits and . _ + - (e.g. alice), the domain in ${at}.domain`,
            });
        const domainProblem = fqdnProblem(domain, { kind: "public" });
        if (domainProblem) out.push({ path, message: `${at}.domain ${domainProblem}` });
        if (name === AUTOMATION_ACCOUNT && domain === s.domain)
            out.push({
                path,
                message: `${at}.name "${AUTOMATION_ACCOUNT}" is the account tailwart keeps for its API key; choose another name`,
            });
        for (const address of [`${name}@${domain}`, ...a.aliases.map((x) => splitAddress(x, domain).join("@"))]) {
            const first = seen.get(address);
            if (first)
                out.push({
                    path,
                    message: `${at} uses ${address}, which ${first} already has; every address (name or alias) belongs to one account or group`,
                });
            else seen.set(address, at);
        }
        for (const alias of a.aliases) {
            const [local, aliasDomain] = splitAddress(alias, domain);
            if (!LOCAL_PART.test(local) || fqdnProblem(aliasDomain, { kind: "public" }))
                out.push({
                    path,
                    message: `${at}.aliases has "${alias}", which is not an address; write e.g. postmaster or postmaster@${s.domain}`,
                });
        }
        return out;
    });
}

function accountProblems(s: RawSettings): ConfigIssue[] {
    return s.accounts.flatMap((a, i): ConfigIssue[] => {
        const at = `accounts[${i}]`;
        const out: ConfigIssue[] = [];
        const roles = (a.roles ?? []).map((r) => r.toLowerCase());
        const builtIn = roles.filter((r) => r === "user" || r === "admin");
        if (builtIn.length > 1 || (builtIn.length === 1 && roles.length > 1)) {
            out.push({
                path: "accounts",
                message: `${at}.roles is ${JSON.stringify(a.roles)}; give one of user or admin, or only ids of existing x:Role objects`,
            });
        }
        const password = clear(a.password);
        const problem = password === undefined ? undefined : passwordProblem(password);
        if (problem) out.push({ path: "accounts", message: `${at}.password ${problem}` });
        return out;
    });
}

/** A group's members are entries of `accounts`, by name or address. */
function memberProblems(s: RawSettings): ConfigIssue[] {
    const accounts = new Set(s.accounts.map((a) => splitAddress(a.name, a.domain ?? s.domain).join("@")));
    return s.groups.flatMap((g, i) =>
        g.members
            .filter((m) => !accounts.has(splitAddress(m, s.domain).join("@")))
            .map((m) => ({
                path: "groups",
                message: `groups[${i}].members has "${m}", which is no entry of accounts; list the account under accounts (an OIDC user's too, without a password)`,
            })),
    );
}

function smarthostProblems(s: RawSettings): ConfigIssue[] {
    const h = s.smarthost;
    if (!h) return none;
    const out: ConfigIssue[] = [];
    const host = h.host.replace(/^\[(.*)\]$/, "$1");
    const problem = isIP(host) ? undefined : fqdnProblem(h.host, { kind: "public", portKey: "smarthost.port" });
    if (problem)
        out.push({ path: "smarthost.host", message: `smarthost.host ${problem.replace(/; use a DNS name$/, "")}` });
    if (h.password && !h.username)
        out.push({
            path: "smarthost.username",
            message:
                "smarthost.password is set but smarthost.username is not; the relay needs both to authenticate (or neither for an IP-allowed relay)",
        });
    if (h.username && !h.password) {
        out.push({
            path: "smarthost.password",
            message:
                "smarthost.username is set but smarthost.password is not; set it with `pulumi config set --secret --path tailwart:smarthost.password …`",
        });
    }
    return out;
}

export const OPERATOR_RULES: Rule[] = [
    rule(["oidc"], (s) => {
        if (!s.oidc) return none;
        const url = s.oidc.issuerUrl;
        if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol) || hasCredentials(url) || /[?#]/.test(url)) {
            return issue(
                "oidc.issuerUrl",
                `oidc.issuerUrl "${maskUrl(url)}" must be the identity provider's issuer URL, exactly as its discovery document's "issuer" says, e.g. https://id.example.com/application/o/stalwart/`,
            );
        }
        return none;
    }),
    rule(["accounts", "groups", "domain"], addressProblems),
    rule(["accounts"], accountProblems),
    rule(["accounts", "groups", "domain"], memberProblems),
    rule(["smarthost"], smarthostProblems),
];

/** Not errors: the deploy goes ahead, and the plan shows these under "warnings". */
export const OPERATOR_WARNINGS: Rule[] = [
    rule(["oidc"], (s) =>
        s.oidc && s.oidc.audience !== WEBUI_CLIENT_ID
            ? issue(
                  "oidc.audience",
                  `oidc.audience is "${s.oidc.audience}": the web UI signs in as the public client ${WEBUI_CLIENT_ID}, whose tokens carry aud=${WEBUI_CLIENT_ID} unless the identity provider adds "${s.oidc.audience}" to them (an audience mapper), so /account and /admin logins are refused with 401 until it does (docs/runbooks/oidc.md)`,
              )
            : none,
    ),
    rule(["oidc"], (s) =>
        s.oidc && /^http:/i.test(s.oidc.issuerUrl)
            ? issue(
                  "oidc.issuerUrl",
                  `oidc.issuerUrl "${maskUrl(s.oidc.issuerUrl)}" is plain http: tokens and discovery travel unprotected; use the identity provider's https issuer unless this is a test IdP`,
              )
            : none,
    ),
    rule(["oidc", "accounts"], (s) =>
        s.oidc
            ? s.accounts.flatMap((a, i) =>
                  a.password
                      ? issue(
                            "accounts",
                            `accounts[${i}].password is set while oidc makes the OIDC directory the default: Stalwart hands every password login to it, which refuses passwords, so this one is stored but never accepted; sign in through the identity provider and use app passwords for IMAP/SMTP`,
                        )
                      : none,
              )
            : none,
    ),
    rule(["accounts"], (s) =>
        s.accounts.flatMap((a, i) =>
            a.password && isSecret(a.password) && a.password.inClear
                ? issue(
                      "accounts",
                      `accounts[${i}].password is in clear text in the stack file, where anyone who reads the file or its history has it; store it encrypted with \`pulumi config set --secret --path 'tailwart:accounts[${i}].password' …\` (and rotate it if the file was ever committed)`,
                  )
                : none,
        ),
    ),
    rule(["smarthost"], (s) => {
        const h = s.smarthost;
        if (!h) return none;
        if (h.port === 25)
            return issue(
                "smarthost.port",
                "smarthost.port is 25, which VPS providers usually block outbound; relays take authenticated mail on 587 (tls: starttls) or 465 (tls: implicit)",
            );
        if (h.port === 465 && h.tls === "starttls")
            return issue(
                "smarthost.tls",
                "smarthost.tls is starttls on port 465, where relays speak implicit TLS; use tls: implicit, or port 587",
            );
        if (h.port === 587 && h.tls === "implicit")
            return issue(
                "smarthost.tls",
                "smarthost.tls is implicit on port 587, where relays expect STARTTLS; use tls: starttls, or port 465",
            );
        return none;
    }),
];
