/**
 * In-repo test double of Stalwart v0.16's management API (JMAP `x:*` registry objects), following
 * docs/stalwart-facts.md#test-double-checklist (traps included). Start one per test file:
 *
 * ```ts
 * const sim = await startStalwartSimulator();
 * await fetch(`${sim.url}/jmap`, { method: "POST", headers: { authorization: sim.basicAuthHeader }, body: … });
 * await sim.close();
 * ```
 */
import { createHash, randomBytes } from "node:crypto";
import { TABLE } from "../../../components/stalwart/schema/table";
import type { SchemaTable } from "../../../components/stalwart/schema/types";
import type { Counters } from "./jmap";
import { SINGLETON_ID } from "./ids";
import { Registry } from "./registry";
import type { RulesEnv } from "./rules";
import { type RunningConfig, Runtime } from "./runtime";
import { insertFirstBootDefaults } from "./defaults";
import { type Faults, HttpFront, type LoggedRequest } from "./server";
import { type IssuedCertificate, storeCertificate, storeTask } from "./serverEvents";
import { clone, type Json, type JsonObject, TableView } from "./tableView";

export type { Counters } from "./jmap";
export type { BuildError, BuiltDirectory, RunningConfig } from "./runtime";
export type { Faults } from "./server";
export type { Json, JsonObject } from "./tableView";
export type { LoggedRequest } from "./server";
export type { IssuedCertificate } from "./serverEvents";
export { FIXTURE_TABLE } from "./fixtureTable";
export { FIRST_BOOT_LISTENERS } from "./defaults";
export { ADMIN_ACCOUNT_ID, SINGLETON_ID } from "./ids";

export interface SimulatorOptions {
    /** per-object facts; default: the generated TABLE */
    table?: SchemaTable;
    /** STALWART_RECOVERY_ADMIN "user:secret"; default admin:<random> */
    recoveryAdmin?: string;
    /** TCP port on 127.0.0.1; default: any free port */
    port?: number;
    /** what GET /api/schema/<hash> serves gzipped: raw text as is (e.g. a schema file) or a document; default: the table */
    schemaDocument?: Json | string;
    /** the token in /api/schema/<hash>; default: base64url SHA-256 of the document */
    schemaHash?: string;
    /** OIDC issuers whose discovery document can be fetched */
    reachableIdps?: string[];
    /** ACME directory URLs an AcmeProvider create can register with */
    reachableAcmeDirectories?: string[];
    /** how long a restart keeps the server down; default 100 ms */
    restartDownMs?: number;
    /** while down: "refuse" closes the port (connection refused), "503" answers 503; default "refuse" */
    restartMode?: "refuse" | "503";
    /**
     * boot as a fresh server's first normal boot, storing its defaults (first-boot listeners, roles,
     * Authentication, a Log tracer; defaults.ts), and again at each restart for a type left with no
     * object; default false: a server started in recovery mode, which stores none
     */
    firstBootDefaults?: boolean;
    /**
     * build OIDC directories as Stalwart does: fetch `<issuerUrl>/.well-known/openid-configuration`
     * and its jwks_uri over HTTP at every ReloadSettings and restart (reachableIdps is then ignored)
     */
    fetchIdps?: boolean;
}

export interface StalwartSimulator {
    /** base URL, e.g. http://127.0.0.1:41234 (POST `${url}/jmap`) */
    readonly url: string;
    /** "user:secret" of the recovery admin (Basic auth, every permission) */
    readonly adminCredentials: string;
    /** `Basic …` header value for adminCredentials */
    readonly basicAuthHeader: string;
    /** a valid `API_…` bearer key with admin rights */
    readonly apiKey: string;
    readonly table: SchemaTable;
    readonly faults: Faults;
    /** live request counters (see Counters) */
    readonly counters: Counters;
    /** the parsed body of every /jmap request since the last resetCounters, in order */
    readonly jmapLog: readonly LoggedRequest[];
    resetCounters(): void;
    /**
     * Raw stored objects, unmasked (secrets in clear), without computed properties: one object
     * when `id` is given (undefined if absent), else a map id → object. Stored singletons use
     * id "singleton"; a never-written singleton is absent here (the API would show defaults).
     */
    stored(objectType: string): Record<string, JsonObject>;
    stored(objectType: string, id: string): JsonObject | undefined;
    /** A copy of the running configuration (what the server acts on, apart from the store). */
    running(): RunningConfig;
    /** Simulates a process restart: down for restartDownMs, then every object is rebuilt. */
    restart(): Promise<void>;
    /** Marks an OIDC issuer reachable (optionally with its discovery document) or not. */
    setReachableIdp(issuer: string, reachable: boolean, discovery?: JsonObject): void;
    setReachableAcmeDirectory(url: string, reachable: boolean): void;
    /** While false, GET /healthz/ready answers 503 (the server has no core data store); /healthz/live stays 200. */
    setReady(ready: boolean): void;
    /** Stores a certificate as an ACME renewal would (issuer, validity and SANs are server-set); returns its id. */
    issueCertificate(cert: IssuedCertificate): string;
    /** Stores an x:Task as the task manager would (e.g. a failed AcmeRenewal); returns its id. */
    addTask(task: JsonObject & { "@type": string }): string;
    /** the next `n` restarts come back with x:Authentication.directoryId read as null (what the operator saw on cold boots) */
    loseBindingOnRestart(n: number): void;
    close(): Promise<void>;
}

/** Fetches one identity provider's discovery document and JWKS as a directory build does; undefined when either fails. */
async function fetchIdp(issuer: string): Promise<JsonObject | undefined> {
    try {
        const get = async (url: string) => {
            const r = await fetch(url, { signal: AbortSignal.timeout(2_000) });
            if (!r.ok) throw new Error(`HTTP ${r.status}`);
            return (await r.json()) as JsonObject;
        };
        const discovery = await get(`${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`);
        if (typeof discovery.jwks_uri !== "string") return undefined;
        const jwks = await get(discovery.jwks_uri);
        return Array.isArray(jwks.keys) ? discovery : undefined;
    } catch {
        return undefined;
    }
}

const freshCounters = (): Counters => ({ requests: 0, jmapRequests: 0, jmapWrites: 0, methodCalls: 0, byMethod: {} });

/** Starts a simulator on 127.0.0.1 and boots its (empty) registry. */
export async function startStalwartSimulator(opts: SimulatorOptions = {}): Promise<StalwartSimulator> {
    const table = opts.table ?? TABLE;
    const registry = new Registry(new TableView(table));
    const env: RulesEnv = { registry, reachableAcme: new Set(opts.reachableAcmeDirectories ?? []) };
    const runtime = new Runtime(registry);
    for (const issuer of opts.reachableIdps ?? []) runtime.setReachableIdp(issuer, true);
    if (opts.firstBootDefaults) insertFirstBootDefaults(registry);
    runtime.boot();
    const recoveryAdmin = opts.recoveryAdmin ?? `admin:${randomBytes(9).toString("base64url")}`;
    const apiKey = `API_${Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]), randomBytes(20)]).toString("base64url")}`;
    const schemaDocument: Json | string = opts.schemaDocument ?? (table as unknown as Json);
    const schemaHash =
        opts.schemaHash ??
        createHash("sha256")
            .update(typeof schemaDocument === "string" ? schemaDocument : JSON.stringify(schemaDocument))
            .digest("base64url");
    const counters = freshCounters();
    const front = new HttpFront(env, runtime, counters, { recoveryAdmin, apiKey, schemaDocument, schemaHash });
    const port = await front.listen(opts.port ?? 0);
    const downMs = opts.restartDownMs ?? 100;
    const mode = opts.restartMode ?? "refuse";
    let restarting: Promise<void> | undefined;
    let bindingsToLose = 0;
    const fetchIdps = async () => {
        for (const [, dir] of registry.entries("x:Directory")) {
            if (dir["@type"] !== "Oidc" || typeof dir.issuerUrl !== "string") continue;
            const discovery = await fetchIdp(dir.issuerUrl);
            runtime.setReachableIdp(dir.issuerUrl, discovery !== undefined, discovery);
        }
    };
    if (opts.fetchIdps) front.beforeAction = fetchIdps;

    function stored(objectType: string): Record<string, JsonObject>;
    function stored(objectType: string, id: string): JsonObject | undefined;
    function stored(objectType: string, id?: string): Record<string, JsonObject> | JsonObject | undefined {
        if (id !== undefined) {
            const o = registry.get(objectType, id);
            return o ? clone(o) : undefined;
        }
        return Object.fromEntries(registry.entries(objectType).map(([k, o]) => [k, clone(o)]));
    }

    return {
        url: `http://127.0.0.1:${port}`,
        adminCredentials: recoveryAdmin,
        basicAuthHeader: `Basic ${Buffer.from(recoveryAdmin).toString("base64")}`,
        apiKey,
        table,
        faults: front.faults,
        counters,
        jmapLog: front.log,
        resetCounters: () => {
            Object.assign(counters, freshCounters());
            front.log.length = 0;
        },
        stored,
        running: () => clone(runtime.running),
        restart: () => {
            restarting ??= (async () => {
                if (mode === "refuse") await front.close();
                else front.unavailable = true;
                await new Promise((r) => setTimeout(r, downMs));
                // a normal boot stores a default again for a type left with no object
                if (opts.firstBootDefaults) insertFirstBootDefaults(registry);
                if (opts.fetchIdps) await fetchIdps();
                const auth = registry.get("x:Authentication", SINGLETON_ID);
                if (bindingsToLose > 0 && auth) {
                    bindingsToLose--;
                    registry.put("x:Authentication", SINGLETON_ID, { ...auth, directoryId: null });
                }
                runtime.boot();
                if (mode === "refuse") await front.listen(port);
                else front.unavailable = false;
            })().finally(() => {
                restarting = undefined;
            });
            return restarting;
        },
        setReachableIdp: (issuer, reachable, discovery) => runtime.setReachableIdp(issuer, reachable, discovery),
        loseBindingOnRestart: (n) => {
            bindingsToLose = n;
        },
        setReachableAcmeDirectory: (url, reachable) => {
            if (reachable) env.reachableAcme.add(url);
            else env.reachableAcme.delete(url);
        },
        setReady: (ready) => {
            front.ready = ready;
        },
        issueCertificate: (cert) => storeCertificate(registry, cert),
        addTask: (task) => storeTask(registry, task),
        close: async () => {
            await restarting;
            await front.close();
        },
    };
}
