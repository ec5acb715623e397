/**
 * The running configuration, kept apart from the stored registry (docs/stalwart-facts.md#reload-restart): /set never
 * changes it. ReloadSettings rebuilds the reload-scoped part (settings singletons, Directory,
 * Tracer, Authentication, …) and swaps it in only when nothing fails; targeted actions copy
 * their own types; restart-scoped types (listeners, stores, SystemSettings proxy networks and
 * maxConnections) change only on restart, which rebuilds everything and tolerates failures.
 */
import type { SetError } from "./errors";
import { SINGLETON_ID } from "./ids";
import type { Registry } from "./registry";
import { clone, isPlainObject, type JsonObject, utcNow } from "./tableView";

/** Read per request with cache invalidation: never part of the running configuration. */
const LIVE_TYPES = new Set([
    "x:Account",
    "x:Domain",
    "x:Role",
    "x:Tenant",
    "x:MailingList",
    "x:DkimSignature",
    "x:OAuthClient",
    "x:ApiKey",
    "x:AppPassword",
    "x:Action",
    "x:PublicKey",
    "x:MaskedEmail",
    "x:AccountSettings",
    "x:AccountPassword",
]);
/** Built only at boot. */
const RESTART_TYPES = new Set([
    "x:NetworkListener",
    "x:DataStore",
    "x:BlobStore",
    "x:InMemoryStore",
    "x:SearchStore",
    "x:Coordinator",
    "x:TracingStore",
    "x:MetricsStore",
    "x:Cache",
]);
/** Restart-scoped properties of otherwise reloadable objects (copied into listeners at boot). */
const RESTART_FIELDS: Record<string, string[]> = { "x:SystemSettings": ["proxyTrustedNetworks", "maxConnections"] };
/** Types applied by the targeted x:Action variants. */
export const TARGETED_ACTIONS: Record<string, string[]> = {
    ReloadTlsCertificates: ["x:Certificate"],
    ReloadLookupStores: ["x:StoreLookup", "x:MemoryLookupKey", "x:MemoryLookupValue", "x:HttpLookup"],
    ReloadBlockedIps: ["x:BlockedIp"],
    UpdateApps: ["x:Application"],
};
const TARGETED_TYPES = new Set(Object.values(TARGETED_ACTIONS).flat());

export interface BuildError {
    object: string;
    id: string;
    description: string;
}

export interface BuiltDirectory {
    type: string;
    issuer?: string;
    discovery?: JsonObject;
}

export interface RunningConfig {
    /** boots since start (1 after the initial start) */
    boots: number;
    /** successful ReloadSettings since the last boot */
    reloads: number;
    builtAt: string;
    /** type → id → object, for every non-live type that was stored when last built */
    objects: Record<string, Record<string, JsonObject>>;
    /** directories that built, by id */
    directories: Record<string, BuiltDirectory>;
    /** Authentication.directoryId when that directory built, else null */
    defaultDirectoryId: string | null;
    /** build errors of the last boot or reload attempt */
    buildErrors: BuildError[];
}

const trimSlash = (s: string) => s.replace(/\/+$/, "");

export class Runtime {
    running: RunningConfig = {
        boots: 0,
        reloads: 0,
        builtAt: utcNow(),
        objects: {},
        directories: {},
        defaultDirectoryId: null,
        buildErrors: [],
    };
    /** reachable IdPs: issuer (no trailing slash) → its discovery document */
    readonly idps = new Map<string, JsonObject>();

    constructor(private readonly registry: Registry) {}

    setReachableIdp(issuer: string, reachable: boolean, discovery?: JsonObject): void {
        const key = trimSlash(issuer);
        if (!reachable) this.idps.delete(key);
        else this.idps.set(key, discovery ?? defaultDiscovery(key));
    }

    private snapshot(types: (t: string) => boolean): Record<string, Record<string, JsonObject>> {
        const out: Record<string, Record<string, JsonObject>> = {};
        for (const t of this.registry.types()) {
            if (!types(t)) continue;
            const entries = this.registry.entries(t);
            if (entries.length) out[t] = Object.fromEntries(entries.map(([id, o]) => [id, clone(o)]));
        }
        return out;
    }

    /** Builds directories and the default-directory binding from the stored registry. */
    private buildDirectories(): {
        directories: Record<string, BuiltDirectory>;
        defaultDirectoryId: string | null;
        errors: BuildError[];
    } {
        const directories: Record<string, BuiltDirectory> = {};
        const errors: BuildError[] = [];
        for (const [id, dir] of this.registry.entries("x:Directory")) {
            if (dir["@type"] !== "Oidc") {
                directories[id] = { type: String(dir["@type"]) };
                continue;
            }
            const issuer = trimSlash(String(dir.issuerUrl ?? ""));
            const discovery = this.idps.get(issuer);
            if (!discovery) {
                errors.push({
                    object: "Directory",
                    id,
                    description: `Discovery fetch failed: error sending request for url (${issuer}/.well-known/openid-configuration)`,
                });
            } else if (trimSlash(String(discovery.issuer ?? "")) !== issuer) {
                errors.push({
                    object: "Directory",
                    id,
                    description: `Issuer mismatch: expected ${issuer}, got ${String(discovery.issuer)}`,
                });
            } else directories[id] = { type: "Oidc", issuer, discovery: clone(discovery) };
        }
        const wanted = this.registry.get("x:Authentication", SINGLETON_ID)?.directoryId;
        let defaultDirectoryId: string | null = null;
        if (typeof wanted === "string") {
            if (directories[wanted]) defaultDirectoryId = wanted;
            else
                errors.push({
                    object: "Authentication",
                    id: SINGLETON_ID,
                    description: `Default directory with ID ${wanted} not found`,
                });
        }
        return { directories, defaultDirectoryId, errors };
    }

    /** Process start: everything is built; failures leave pieces out but the server runs. */
    boot(): void {
        const built = this.buildDirectories();
        this.running = {
            boots: this.running.boots + 1,
            reloads: 0,
            builtAt: utcNow(),
            objects: this.snapshot((t) => !LIVE_TYPES.has(t)),
            directories: built.directories,
            defaultDirectoryId: built.defaultDirectoryId,
            buildErrors: built.errors,
        };
    }

    /** ReloadSettings: all or nothing; the first error is the action's SetError. */
    reload(): SetError | undefined {
        const built = this.buildDirectories();
        if (built.errors.length) {
            this.running.buildErrors = built.errors;
            const first = built.errors[0]!;
            return {
                type: "validationFailed",
                objectId: { object: first.object, id: first.id },
                description: first.description,
            };
        }
        const old = this.running.objects;
        const objects = this.snapshot((t) => !LIVE_TYPES.has(t) && !RESTART_TYPES.has(t) && !TARGETED_TYPES.has(t));
        for (const t of [...RESTART_TYPES, ...TARGETED_TYPES]) if (old[t]) objects[t] = old[t];
        for (const [t, fields] of Object.entries(RESTART_FIELDS)) {
            const next = objects[t]?.[SINGLETON_ID];
            if (!next) continue;
            const previous =
                old[t]?.[SINGLETON_ID] ?? this.registry.view.defaultObject(this.registry.descriptor(t).schema);
            for (const f of fields) if (f in previous) next[f] = clone(previous[f]!);
        }
        this.running = {
            ...this.running,
            reloads: this.running.reloads + 1,
            builtAt: utcNow(),
            objects,
            ...built,
            buildErrors: [],
        };
        return undefined;
    }

    /** ReloadTlsCertificates & co.: copy just their types into the running configuration. */
    applyTargeted(action: string): void {
        const types = new Set(TARGETED_ACTIONS[action] ?? []);
        const fresh = this.snapshot((t) => types.has(t));
        for (const t of types) {
            if (fresh[t]) this.running.objects[t] = fresh[t];
            else delete this.running.objects[t];
        }
    }

    /** /api/discover/<address>: the IdP's document when the running default directory is built OIDC. */
    discover(address: string, baseUrl: string): JsonObject {
        const id = this.running.defaultDirectoryId;
        const dir = id ? this.running.directories[id] : undefined;
        if (address.includes("@") && dir?.type === "Oidc" && isPlainObject(dir.discovery)) return clone(dir.discovery);
        return {
            issuer: "", // Stalwart's own issuer is empty when the request did not arrive over TLS
            authorization_endpoint: `${baseUrl}/authorize/code`,
            device_authorization_endpoint: `${baseUrl}/auth/device`,
            token_endpoint: `${baseUrl}/auth/token`,
            userinfo_endpoint: `${baseUrl}/auth/userinfo`,
            jwks_uri: `${baseUrl}/auth/jwks.json`,
            registration_endpoint: `${baseUrl}/auth/register`,
            response_types_supported: ["code", "id_token", "code token", "id_token token"],
            grant_types_supported: ["authorization_code", "implicit", "urn:ietf:params:oauth:grant-type:device_code"],
            scopes_supported: ["openid", "offline_access"],
        };
    }
}

function defaultDiscovery(issuer: string): JsonObject {
    return {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        userinfo_endpoint: `${issuer}/userinfo`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
    };
}
