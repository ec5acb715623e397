/**
 * Stalwart's own settings for this topology, as x:* object specs (plain data). The deployment turns
 * each spec into a StalwartObject; `npm run plan` prints them. Ids of other objects are named by
 * `refs` (property path → key of the spec whose objectId fills it) and filled in by the shell.
 * Each spec is typed by the generated property types, so a misspelt property or enum value fails
 * `npm test`; checkSettingsPlan (checkSpecs.ts) then runs the provider's own check on every spec.
 */
import type { Settings } from "../config";
import type { Secret } from "../config/secret";
import { isSecret } from "../config/secret";
import type * as x from "../stalwart/generated/types";
import { subsetFor } from "../stalwart/schema/table";
import { isVariantSchema } from "../stalwart/schema/types";
import { dnsCredentialEnv, portRole, proxyTrustedNetworks, STALWART_ENV } from "../topology";
import type { StalwartObjectSpec as SettingsObjectSpec } from "../stalwart/settings";
import { managementSpecs } from "./management";

/** An x:* object of the plan: what StalwartSettings takes, plus what the deploy resolves before it. */
export interface StalwartObjectSpec extends SettingsObjectSpec {
    /**
     * dotted property path → a config secret the deploy hashes to `$argon2id$` (an account's
     * password, PasswordHash) and writes there; the plan never holds the hash or the plaintext
     */
    passwords?: Record<string, Secret>;
    /** the stack-config key the spec comes from, when its key does not say (stalwart.objects entries) */
    source?: string;
}

/** The generated property types of the x:* objects this deployment writes. */
export interface SettingsObjectTypes {
    "x:AcmeProvider": x.AcmeProviderProperties;
    "x:Domain": x.DomainProperties;
    "x:SystemSettings": x.SystemSettingsProperties;
    "x:BlobStore": x.BlobStoreProperties;
    "x:InMemoryStore": x.InMemoryStoreProperties;
    "x:Tracer": x.TracerProperties;
    "x:NetworkListener": x.NetworkListenerProperties;
    "x:DnsServer": x.DnsServerProperties;
    "x:Directory": x.DirectoryProperties;
    "x:Account": x.AccountProperties;
    "x:MtaRoute": x.MtaRouteProperties;
    "x:MtaTlsStrategy": x.MtaTlsStrategyProperties;
    "x:MtaOutboundStrategy": x.MtaOutboundStrategyProperties;
    "x:ApiKey": x.ApiKeyProperties;
}

/**
 * A property as a plan may hold it: the generated type, where ids may be left to `refs` (so every
 * property is optional: the provider's check, run on the plan, enforces what is required) and a
 * text may be a config Secret (printed masked, handed to Pulumi as a secret).
 */
type PlanValue<T> = T extends string
    ? T | Secret
    : T extends readonly unknown[]
      ? T
      : T extends object
        ? PlanProperties<T>
        : T;
export type PlanProperties<T> = T extends unknown ? { [K in keyof T]?: PlanValue<T[K]> } : never;

/** One spec, checked against the generated type of its object. */
export function spec<T extends keyof SettingsObjectTypes>(
    key: string,
    objectType: T,
    properties: PlanProperties<SettingsObjectTypes[T]>,
    refs?: Record<string, string>,
): StalwartObjectSpec {
    return { key, objectType, properties: properties as Record<string, unknown>, ...(refs ? { refs } : {}) };
}

const CHALLENGE_TYPES = { "tls-alpn-01": "TlsAlpn01", "http-01": "Http01", "dns-01": "Dns01" } as const;

const asSet = (items: readonly string[]): Record<string, true> =>
    Object.fromEntries(items.map((i) => [i, true as const]));

/**
 * x:DnsServer from acme.dnsProvider. A credential the schema holds as a secret object (SecretKey:
 * Value | EnvironmentVariable | File) is written as an EnvironmentVariable the Stalwart container
 * carries (topology.ts dnsCredentialEnv), so the value never enters Stalwart's database; a
 * credential in a plain text field stays a Secret, written through the API and kept secret in state.
 */
function dnsServerSpec(s: Settings): StalwartObjectSpec {
    const provider = s.acme.dnsProvider ?? {};
    const type = String(provider["@type"]);
    const subset = subsetFor("x:DnsServer");
    const root = subset.schemas[subset.object.schema];
    const variant = root && isVariantSchema(root) ? root.variants[type] : undefined;
    const fields = variant ? subset.schemas[variant] : undefined;
    const envVariantOf = (field: string): boolean => {
        const f = fields && "fields" in fields ? fields.fields[field] : undefined;
        const target = f?.kind === "object" && f.objectName ? subset.schemas[f.objectName] : undefined;
        return !!target && isVariantSchema(target) && "EnvironmentVariable" in target.variants;
    };
    const properties: Record<string, unknown> = { description: `tailwart ${s.stack}: ACME dns-01 for ${s.domain}` };
    for (const [field, value] of Object.entries(provider)) {
        properties[field] =
            isSecret(value) && envVariantOf(field)
                ? { "@type": "EnvironmentVariable", variableName: dnsCredentialEnv(field) }
                : value;
    }
    return { key: "dns", objectType: "x:DnsServer", properties };
}

/** The dnsProvider credentials that travel as container env (dnsServerSpec): env name → config field. */
export function dnsCredentialFields(s: Settings): string[] {
    if (s.acme.challenge !== "dns-01" || !s.acme.dnsProvider) return [];
    const dns = dnsServerSpec(s).properties;
    return Object.keys(dns).filter(
        (field) => (dns[field] as { "@type"?: unknown } | undefined)?.["@type"] === "EnvironmentVariable",
    );
}

export function stalwartSettingsPlan(s: Settings): StalwartObjectSpec[] {
    const dns01 = s.acme.challenge === "dns-01";
    // PROXY headers only from the edge node itself when its tailnet addresses are known (decision 003)
    const proxyTrust = proxyTrustedNetworks(s.edge.tailnetAddresses);
    const specs: StalwartObjectSpec[] = [
        spec("acme", "x:AcmeProvider", {
            directory: s.acme.directoryUrl,
            contact: asSet(s.acme.contact),
            challengeType: CHALLENGE_TYPES[s.acme.challenge],
        }),
        spec(
            "domain",
            "x:Domain",
            {
                name: s.domain,
                certificateManagement: { "@type": "Automatic", subjectAlternativeNames: asSet([s.hostname]) },
                ...(dns01 ? { dnsManagement: { "@type": "Automatic" as const } } : {}),
            },
            {
                "certificateManagement.acmeProviderId": "acme",
                ...(dns01 ? { "dnsManagement.dnsServerId": "dns" } : {}),
            },
        ),
        spec("system", "x:SystemSettings", { defaultHostname: s.hostname }, { defaultDomainId: "domain" }),
        spec("blob-store", "x:BlobStore", {
            "@type": "S3",
            bucket: s.garage.bucket,
            region: { "@type": "Custom", customEndpoint: s.garage.s3Endpoint, customRegion: s.garage.region },
            accessKey: { "@type": "EnvironmentVariable", variableName: STALWART_ENV.s3AccessKey },
            secretKey: { "@type": "EnvironmentVariable", variableName: STALWART_ENV.s3SecretKey },
        }),
        // redis.url is a Secret when it holds a password: printed masked, handed to Pulumi as a secret
        spec("in-memory-store", "x:InMemoryStore", { "@type": "Redis", url: s.redis.url }),
        // Docker has no /var/log/stalwart: log to stdout so `docker logs` shows build errors.
        spec("tracer-stdout", "x:Tracer", { "@type": "Stdout", level: s.tracing.level }),
        ...s.edge.ports.map((port) => {
            const l = portRole(port);
            // PROXY protocol is trusted per mail listener only (decision 003): a global
            // proxyTrustedNetworks would make the management listener demand a PROXY header too.
            return spec(`listener-${l.name}`, "x:NetworkListener", {
                name: l.name,
                bind: asSet([`[::]:${port}`]),
                protocol: l.protocol,
                useTls: l.useTls,
                tlsImplicit: l.tlsImplicit,
                overrideProxyTrustedNetworks: asSet(proxyTrust),
            });
        }),
        ...managementSpecs(),
    ];
    if (dns01) specs.unshift(dnsServerSpec(s));
    return specs;
}
