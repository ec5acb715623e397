/**
 * Stalwart's own settings for this topology, as x:* object specs (plain data). The deployment turns
 * each spec into a StalwartObject; `npm run plan` prints them. Ids of other objects are named by
 * `refs` (property path → key of the spec whose objectId fills it) and filled in by the shell.
 */
import type { Settings } from "../config";
import { portRole, proxyTrustedNetworks, STALWART_ENV } from "../topology";
import { managementSpecs } from "./management";

export interface StalwartObjectSpec {
    /** unique within the plan; the Pulumi resource name suffix */
    key: string;
    objectType: string;
    properties: Record<string, unknown>;
    /** dotted property path → key of the object whose id goes there */
    refs?: Record<string, string>;
    /**
     * the server echoes a secret back in clear in a field the schema does not call secret (a
     * password inside redis.url): keep the object's outputs encrypted in state
     */
    secretOutputs?: boolean;
}

/**
 * PROXY protocol is trusted per mail listener only (decision 003): a global proxyTrustedNetworks
 * would make the management listener demand a PROXY header too and lock operators out.
 */
const CHALLENGE_TYPES = { "tls-alpn-01": "TlsAlpn01", "http-01": "Http01", "dns-01": "Dns01" } as const;

const asSet = (items: readonly string[]) => Object.fromEntries(items.map((i) => [i, true]));

export function stalwartSettingsPlan(s: Settings): StalwartObjectSpec[] {
    const dns01 = s.acme.challenge === "dns-01";
    // PROXY headers only from the edge node itself when its tailnet addresses are known (decision 003)
    const proxyTrust = proxyTrustedNetworks(s.edge.tailnetAddresses);
    const specs: StalwartObjectSpec[] = [
        {
            key: "acme",
            objectType: "x:AcmeProvider",
            properties: { directory: s.acme.directoryUrl, contact: asSet(s.acme.contact), challengeType: CHALLENGE_TYPES[s.acme.challenge] },
        },
        {
            key: "domain",
            objectType: "x:Domain",
            properties: {
                name: s.domain,
                certificateManagement: { "@type": "Automatic", subjectAlternativeNames: asSet([s.hostname]) },
                ...(dns01 ? { dnsManagement: { "@type": "Automatic" } } : {}),
            },
            refs: { "certificateManagement.acmeProviderId": "acme", ...(dns01 ? { "dnsManagement.dnsServerId": "dns" } : {}) },
        },
        {
            key: "system",
            objectType: "x:SystemSettings",
            properties: { defaultHostname: s.hostname },
            refs: { defaultDomainId: "domain" },
        },
        {
            key: "blob-store",
            objectType: "x:BlobStore",
            properties: {
                "@type": "S3",
                bucket: s.garage.bucket,
                region: { "@type": "Custom", customEndpoint: s.garage.s3Endpoint, customRegion: s.garage.region },
                accessKey: { "@type": "EnvironmentVariable", variableName: STALWART_ENV.s3AccessKey },
                secretKey: { "@type": "EnvironmentVariable", variableName: STALWART_ENV.s3SecretKey },
            },
        },
        // redis.url is a Secret when it holds a password: printed masked, handed to Pulumi as a secret
        { key: "in-memory-store", objectType: "x:InMemoryStore", properties: { "@type": "Redis", url: s.redis.url } },
        // Docker has no /var/log/stalwart: log to stdout so `docker logs` shows build errors.
        { key: "tracer-stdout", objectType: "x:Tracer", properties: { "@type": "Stdout", level: "info" } },
        ...s.edge.ports.map((port): StalwartObjectSpec => {
            const l = portRole(port);
            return {
                key: `listener-${l.name}`,
                objectType: "x:NetworkListener",
                properties: {
                    name: l.name,
                    bind: asSet([`[::]:${port}`]),
                    protocol: l.protocol,
                    useTls: l.useTls,
                    tlsImplicit: l.tlsImplicit,
                    overrideProxyTrustedNetworks: asSet(proxyTrust),
                },
            };
        }),
        ...managementSpecs(),
    ];
    if (dns01) {
        specs.unshift({ key: "dns", objectType: "x:DnsServer", properties: { ...s.acme.dnsProvider } });
    }
    return specs;
}
