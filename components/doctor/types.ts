/**
 * The doctor's vocabulary: a check is a named probe of one running deployment that ends in one
 * result (ok, fail or warn, what was seen, and for a failure the fix). Checks reach the network only
 * through DoctorNetwork, so tests drive them with simulators, fake resolvers and local servers.
 */
import type { Duplex } from "node:stream";
import type { Settings } from "../config";
import type { Plan } from "../plan";

export type CheckStatus = "ok" | "fail" | "warn";

/** One line of the report; the JSON contract's element ({id, status, detail, fix?}). */
export interface CheckResult {
    id: string;
    status: CheckStatus;
    /** what was seen, secrets masked */
    detail: string;
    /** what to do; given for a failure, and for a warning when there is something to do */
    fix?: string;
}

export type Outcome = Omit<CheckResult, "id">;

export interface Check {
    /** stable name, part of the JSON contract (e.g. "stalwart.health") */
    id: string;
    /** overrides the runner's default per-check timeout */
    timeoutMs?: number;
    /** the fix printed when the check times out or throws */
    fix: string;
    /** `signal` aborts when the check's time is up: close sockets and cancel requests on it */
    run(ctx: DoctorContext, signal: AbortSignal): Promise<Outcome>;
}

/** The slice of a `pg` client the doctor uses (pg.Client satisfies it). */
export interface PgClientLike {
    connect(): Promise<unknown>;
    query<R>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
    end(): Promise<void>;
}

export interface PgClientConfig {
    host: string;
    port: number;
    user: string;
    password?: string;
    database: string;
    ssl: false | { rejectUnauthorized: boolean };
    connectionTimeoutMillis: number;
    query_timeout: number;
}

/** Every way the doctor reaches the outside world. */
export interface DoctorNetwork {
    fetch(url: string, init: RequestInit): Promise<Response>;
    /** A and AAAA addresses through the system resolver (what a container or a client would use) */
    lookup(host: string): Promise<string[]>;
    resolveMx(name: string): Promise<{ exchange: string; priority: number }[]>;
    /** TXT records, each as its character strings */
    resolveTxt(name: string): Promise<string[][]>;
    /** an open TCP connection; rejects when it cannot be made */
    connect(host: string, port: number, signal: AbortSignal): Promise<Duplex>;
    pgClient(config: PgClientConfig): PgClientLike;
}

/** Where the management API is and how to authenticate (decision 008: stalwart:* config first, then STALWART_* env). */
export interface StalwartAccess {
    url: string;
    /** Authorization header value; undefined when no usable credentials were found */
    authorization?: string;
    /** where the URL and credentials came from (never a value), or why there are none */
    source: string;
}

/** The Postgres admin the one-instance check connects as. */
export interface PostgresAdmin {
    user: string;
    password?: string;
    /** where the password came from, or why there is none */
    source: string;
}

/** The `tailwart:oidc` key, read leniently (another part of the project defines it): the doctor needs its issuer only. */
export interface OidcExpectation {
    issuerUrl: string;
}

/** An x:* object as /get returns it. */
export type XObject = Record<string, unknown> & { id: string };

/** The management-API reads the checks make (StalwartReader); each failure is a CheckError. */
export interface StalwartReads {
    readonly access: StalwartAccess;
    /** GET `<url><path>`, anonymous unless `auth` */
    get(path: string, opts?: { auth?: boolean; signal?: AbortSignal }): Promise<Response>;
    /** a singleton, by its id "singleton" */
    singleton(type: string): Promise<XObject>;
    /** every object of a collection */
    all(type: string): Promise<XObject[]>;
    /** objects by id; missing ones left out */
    byIds(type: string, ids: string[]): Promise<XObject[]>;
    /** the x:Domain of that name, if Stalwart has it */
    domain(name: string): Promise<XObject | undefined>;
    /** SHA-256 (hex) of the registry schema the server serves */
    schemaSha256(): Promise<string>;
}

/** Everything the checks know about the deployment, read from the stack's config and the environment. */
export interface DoctorTarget {
    stack: string;
    settings: Settings;
    plan: Plan;
    stalwart: StalwartAccess;
    postgresAdmin: PostgresAdmin;
    /** Redis host and port, or why they are unknown (redis.url encrypted and TAILWART_REDIS_URL unset) */
    redis: { host: string; port: number } | { unknown: string };
    oidc?: OidcExpectation;
}

export interface DoctorContext {
    target: DoctorTarget;
    net: DoctorNetwork;
    now(): Date;
    /** registry schema SHA-256 (hex, decompressed) per Stalwart release this project knows */
    knownSchemas: Record<string, string>;
    /** reads of the management API shared by the checks of one run (each made once) */
    stalwart: StalwartReads;
}
