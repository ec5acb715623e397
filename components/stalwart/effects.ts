/**
 * What a change to an x:* object needs before it takes effect (docs/stalwart-facts.md#reload-restart): nothing
 * (read per request), one of the reload actions, or a process restart. Writes never reload by
 * themselves; the convergence step issues each needed action once per `pulumi up`.
 */

export type ReloadAction =
    | "ReloadSettings"
    | "ReloadTlsCertificates"
    | "ReloadLookupStores"
    | "ReloadBlockedIps"
    | "UpdateApps";
export type Effect = "live" | ReloadAction | "restart";

/** Read from the registry per request, with cache invalidation. */
const LIVE = [
    "x:Account",
    "x:Domain",
    "x:Role",
    "x:Tenant",
    "x:MailingList",
    "x:DkimSignature",
    "x:OAuthClient",
    "x:ApiKey",
    "x:AppPassword",
    "x:AccountSettings",
    "x:AccountPassword",
];

/** Built only at boot: a reload reuses the old handles or re-parses and discards (listeners). */
const RESTART = [
    "x:DataStore",
    "x:BlobStore",
    "x:InMemoryStore",
    "x:SearchStore",
    "x:Coordinator",
    "x:TracingStore",
    "x:MetricsStore",
    "x:Cache",
    "x:NetworkListener",
];

const TARGETED: Record<string, ReloadAction> = {
    "x:Certificate": "ReloadTlsCertificates",
    "x:StoreLookup": "ReloadLookupStores",
    "x:MemoryLookupKey": "ReloadLookupStores",
    "x:MemoryLookupKeyValue": "ReloadLookupStores",
    "x:HttpLookup": "ReloadLookupStores",
    "x:BlockedIp": "ReloadBlockedIps",
    "x:Application": "UpdateApps",
};

/** Properties of reloadable objects that are copied into listeners at boot, so they need a restart. */
const RESTART_PROPERTIES: Record<string, string[]> = {
    "x:SystemSettings": ["proxyTrustedNetworks", "maxConnections"],
};

/** Everything else (settings singletons, Directory, Tracer, MTA, Http, Security, Jmap, AcmeProvider, …) is rebuilt by ReloadSettings. */
export function effectOf(objectType: string): Effect {
    if (LIVE.includes(objectType)) return "live";
    if (RESTART.includes(objectType)) return "restart";
    return TARGETED[objectType] ?? "ReloadSettings";
}

/** The effects of changing `properties` of an object (all of them when it was created or destroyed). */
export function effectsOf(objectType: string, properties: string[] | "all"): Effect[] {
    const base = effectOf(objectType);
    const restartProps = RESTART_PROPERTIES[objectType] ?? [];
    const touchesRestart =
        properties === "all" ? restartProps.length > 0 : properties.some((p) => restartProps.includes(p));
    return touchesRestart && base !== "restart" ? [base, "restart"] : [base];
}

/** Reload actions in the order they are issued: settings first, so TLS and lookups see the new core. */
export const RELOAD_ORDER: ReloadAction[] = [
    "ReloadSettings",
    "ReloadTlsCertificates",
    "ReloadLookupStores",
    "ReloadBlockedIps",
    "UpdateApps",
];

/** The object types named in the tables above, so a test can check them against the schema. */
export const NAMED_TYPES = [...LIVE, ...RESTART, ...Object.keys(TARGETED), ...Object.keys(RESTART_PROPERTIES)];
