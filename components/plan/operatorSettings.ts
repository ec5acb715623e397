/**
 * The x:* specs of what an operator configures after the containers: the OIDC directory (bound as
 * the default directory by the convergence, never by a spec), accounts and groups (and the extra
 * domains their addresses need), the smarthost relay and the outbound route that uses it, the account that
 * holds the automation API key, and `stalwart.objects`. Plain data, typed by the generated types
 * where the shape is known; checkSettingsPlan runs the provider's check on all of them.
 */
import type { Settings } from "../config";
import { splitAddress } from "../config/operatorRules";
import { TABLE } from "../stalwart/schema/table";
import type * as x from "../stalwart/generated/types";
import { AUTOMATION_ACCOUNT, STALWART_ENV } from "../topology";
import { type PlanProperties, spec, type StalwartObjectSpec } from "./stalwartSettings";

/** Spec keys this module gives; `domain` is stalwartSettings.ts's main domain. */
export const OPERATOR_KEYS = {
    directory: "oidc-directory",
    automationAccount: "automation-account",
    smarthostRoute: "smarthost-route",
    smarthostTls: "smarthost-tls",
    outbound: "outbound-strategy",
    mainDomain: "domain",
} as const;

/** The route and TLS strategy names the outbound strategy's expressions refer to. */
export const SMARTHOST_NAME = "smarthost";

const asSet = (items: readonly string[]): Record<string, true> =>
    Object.fromEntries(items.map((i) => [i, true as const]));

export const accountKey = (local: string, domain: string) => `account-${local}@${domain}`;
export const groupKey = (local: string, domain: string) => `group-${local}@${domain}`;
export const domainKey = (domain: string, main: string) =>
    domain === main ? OPERATOR_KEYS.mainDomain : `domain-${domain}`;

function oidcSpec(s: Settings): StalwartObjectSpec[] {
    const o = s.oidc;
    if (!o) return [];
    const optional = <K extends string, V>(k: K, v: V | undefined) =>
        v === undefined ? {} : ({ [k]: v } as Record<K, V>);
    return [
        spec(OPERATOR_KEYS.directory, "x:Directory", {
            "@type": "Oidc",
            description: o.description ?? `tailwart ${s.stack}: ${o.issuerUrl}`,
            issuerUrl: o.issuerUrl,
            requireAudience: o.audience,
            ...optional("requireScopes", o.scopes ? asSet(o.scopes) : undefined),
            ...optional("claimUsername", o.claimUsername),
            ...optional("claimName", o.claimName),
            ...optional("claimGroups", o.claimGroups),
            ...optional("usernameDomain", o.usernameDomain),
        }),
    ];
}

/** Domains the accounts' names and aliases use besides the main one: each becomes an x:Domain. */
export function accountDomains(s: Settings): string[] {
    const domains = [...s.accounts, ...s.groups].flatMap((a) => {
        const [, domain] = splitAddress(a.name, a.domain ?? s.domain);
        return [domain, ...a.aliases.map((alias) => splitAddress(alias, domain)[1])];
    });
    return [...new Set(domains)].filter((d) => d !== s.domain).sort();
}

/** roles: user (the default), admin, or the ids of existing x:Role objects. */
function rolesOf(roles: string[] | undefined): x.UserRoles | undefined {
    if (!roles?.length) return undefined;
    const lower = roles.map((r) => r.toLowerCase());
    if (lower.includes("admin")) return { "@type": "Admin" };
    if (lower.includes("user")) return { "@type": "User" };
    return { "@type": "Custom", roleIds: asSet(roles) };
}

/** The refs of a principal's domain and its aliases' domains. */
function addressRefs(s: Settings, domain: string, aliases: [string, string][]): Record<string, string> {
    const refs: Record<string, string> = { domainId: domainKey(domain, s.domain) };
    aliases.forEach(([, d], i) => (refs[`aliases.${i}.domainId`] = domainKey(d, s.domain)));
    return refs;
}

const aliasesOf = (aliases: [string, string][]) =>
    aliases.length ? { aliases: Object.fromEntries(aliases.map(([local], i) => [String(i), { name: local }])) } : {};

/** A group: an x:Account of @type Group; its members join it through their own memberGroupIds. */
function groupSpec(s: Settings, g: Settings["groups"][number]): StalwartObjectSpec {
    const [name, domain] = splitAddress(g.name, g.domain ?? s.domain);
    const aliases = g.aliases.map((alias) => splitAddress(alias, domain));
    const properties: PlanProperties<x.AccountProperties> = {
        "@type": "Group",
        name,
        ...(g.description ? { description: g.description } : {}),
        ...aliasesOf(aliases),
    };
    return spec(groupKey(name, domain), "x:Account", properties, addressRefs(s, domain, aliases));
}

function accountSpec(s: Settings, a: Settings["accounts"][number]): StalwartObjectSpec {
    const [name, domain] = splitAddress(a.name, a.domain ?? s.domain);
    const aliases = a.aliases.map((alias) => splitAddress(alias, domain));
    const refs = addressRefs(s, domain, aliases);
    // `memberGroupIds[i]`: each group's id joins the set (StalwartSettings fills it)
    const groups = s.groups.filter((g) =>
        g.members.some((m) => splitAddress(m, s.domain).join("@") === `${name}@${domain}`),
    );
    groups.forEach((g, i) => (refs[`memberGroupIds[${i}]`] = groupKey(...splitAddress(g.name, g.domain ?? s.domain))));
    const roles = rolesOf(a.roles);
    const properties: PlanProperties<x.AccountProperties> = {
        "@type": "User",
        name,
        ...(a.description ? { description: a.description } : {}),
        ...aliasesOf(aliases),
        ...(roles ? { roles } : {}),
        ...(a.quota !== undefined ? { quotas: { maxDiskQuota: a.quota } } : {}),
        // the secret itself is the deploy's argon2id hash of the password (spec.passwords)
        ...(a.password ? { credentials: { "0": { "@type": "Password" } } } : {}),
    };
    const out = spec(accountKey(name, domain), "x:Account", properties, refs);
    return a.password ? { ...out, passwords: { "credentials.0.secret": a.password } } : out;
}

/**
 * The account that holds the automation API key: an admin without a password (only its key signs
 * in), so the key can be granted what the providers need and nothing else.
 */
function automationAccountSpec(s: Settings): StalwartObjectSpec {
    return spec(
        OPERATOR_KEYS.automationAccount,
        "x:Account",
        {
            "@type": "User",
            name: AUTOMATION_ACCOUNT,
            description: `tailwart ${s.stack}: holds the API key pulumi up signs in with`,
            roles: { "@type": "Admin" },
        },
        { domainId: OPERATOR_KEYS.mainDomain },
    );
}

/** The schema's default of one x:MtaOutboundStrategy expression (what Stalwart routes by when nothing is set). */
const defaultExpression = (field: "route" | "tls"): x.Expression => {
    const root = TABLE.schemas["x:MtaOutboundStrategy"];
    const f = root && "fields" in root ? root.fields[field] : undefined;
    return f?.default as x.Expression;
};

/**
 * The smarthost as an x:MtaRoute of @type Relay, a TLS strategy that requires TLS to it (the
 * password never travels in clear; DANE and MTA-STS concern the recipients' MX hosts, not the
 * relay), and the outbound strategy routing remote mail through both. Without a smarthost the
 * outbound strategy is written back to Stalwart's defaults, so removing the key undoes it.
 */
function outboundSpecs(s: Settings): StalwartObjectSpec[] {
    const h = s.smarthost;
    const local = { "0": { if: "is_local_domain(rcpt_domain)", then: "'local'" } };
    if (!h)
        return [
            spec(OPERATOR_KEYS.outbound, "x:MtaOutboundStrategy", {
                route: defaultExpression("route"),
                tls: defaultExpression("tls"),
            }),
        ];
    return [
        spec(OPERATOR_KEYS.smarthostRoute, "x:MtaRoute", {
            "@type": "Relay",
            name: SMARTHOST_NAME,
            description: `tailwart ${s.stack}: outbound relay ${h.host}:${h.port}`,
            address: h.host,
            port: h.port,
            protocol: "smtp",
            implicitTls: h.tls === "implicit",
            ...(h.username ? { authUsername: h.username } : {}),
            authSecret: h.password
                ? { "@type": "EnvironmentVariable", variableName: STALWART_ENV.smarthostPassword }
                : { "@type": "None" },
        }),
        spec(OPERATOR_KEYS.smarthostTls, "x:MtaTlsStrategy", {
            name: SMARTHOST_NAME,
            description: `tailwart ${s.stack}: TLS required to the relay`,
            startTls: "require",
            dane: "disable",
            mtaSts: "disable",
            allowInvalidCerts: false,
        }),
        spec(OPERATOR_KEYS.outbound, "x:MtaOutboundStrategy", {
            route: { match: local, else: `'${SMARTHOST_NAME}'` },
            tls: { match: {}, else: `'${SMARTHOST_NAME}'` },
        }),
    ];
}

/** stalwart.objects as specs, each naming the entry it comes from. */
function customSpecs(s: Settings): StalwartObjectSpec[] {
    return s.stalwart.objects.map((o, i) => ({
        key: o.key,
        objectType: o.objectType,
        properties: o.properties,
        ...(o.refs && Object.keys(o.refs).length ? { refs: o.refs } : {}),
        source: `stalwart.objects[${i}]`,
    }));
}

/** The specs after stalwartSettingsPlan's: extra domains first, so the accounts after them can refer to them. */
export function operatorSpecs(s: Settings): StalwartObjectSpec[] {
    return [
        ...oidcSpec(s),
        ...accountDomains(s).map((d) => spec(domainKey(d, s.domain), "x:Domain", { name: d })),
        automationAccountSpec(s),
        ...s.groups.map((g) => groupSpec(s, g)),
        ...s.accounts.map((a) => accountSpec(s, a)),
        ...outboundSpecs(s),
        ...customSpecs(s),
    ];
}
