/**
 * The dynamic provider behind OneInstanceGate (decision 014). Creating the gate is the moment a new
 * or replaced Stalwart is about to start: it logs in to Postgres as the admin and waits, with backoff
 * and a bound, until no client holds a session as the Stalwart role, else fails naming the
 * addresses. Diff replaces it (delete first) exactly when its key, everything that replaces the
 * container, changes. Shipped as a bundle (decision 007): `pg` is required inside a function and
 * resolved by the host from the project's node_modules; the admin password is an input the engine
 * keeps secret, never an output, and is cut out of any error text.
 */
import type * as pulumi from "@pulumi/pulumi";
import { type PgSslMode, pgSsl, ROLE_SESSIONS_QUERY, type RoleSessions } from "../../backends/postgresSessions";
import { blockedMessage, DRAIN_BACKOFF, type GateTarget, realClock, waitForDrain } from "./drain";
import type { EngineRecord } from "../../bundledProvider";

/** The engine's untyped records (components/bundledProvider.ts). */
type EngineProps = EngineRecord;

/** The value the engine sends for what it cannot know yet (during preview, or a replaced dependency). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const SSL_MODES: readonly PgSslMode[] = ["disable", "require", "verify-full"];
export const MAX_DRAIN_SECONDS = 3600;

export interface GateInputs extends GateTarget {
    /** without it, PGPASSWORD in the environment (as the postgresql provider does) */
    adminPassword?: string;
    sslmode: PgSslMode;
    drainTimeoutSeconds: number;
    /** everything that replaces the container: image id, netns owner id, spec and secrets digests */
    key: Record<string, string>;
}

export interface GateOutputs extends Omit<GateInputs, "adminPassword"> {
    /** how long the last start waited for the old instance's sessions to close */
    waitedSeconds: number;
    /** the addresses whose sessions the gate saw close before it let the container start */
    drained: string[];
}

const TEXT_FIELDS = ["host", "role", "adminUser", "containerName", "dockerHost"] as const;
/** what update records when it changes; the password is not among them (a rotation changes nothing) */
const RECORDED = [...TEXT_FIELDS, "port", "sslmode", "drainTimeoutSeconds"] as const;

function checkInputs(news: EngineProps): pulumi.dynamic.CheckFailure[] {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    const known = (v: unknown) => v !== UNKNOWN;
    for (const f of TEXT_FIELDS)
        if (known(news[f]) && (typeof news[f] !== "string" || news[f] === ""))
            failures.push({ property: f, reason: "must be non-empty text" });
    if (known(news.port) && !(Number.isInteger(news.port) && news.port >= 1 && news.port <= 65535))
        failures.push({ property: "port", reason: "must be a TCP port, 1 to 65535" });
    if (known(news.sslmode) && !SSL_MODES.includes(news.sslmode))
        failures.push({ property: "sslmode", reason: `must be one of ${SSL_MODES.join(", ")}` });
    const t = news.drainTimeoutSeconds;
    if (known(t) && !(typeof t === "number" && t >= 0 && t <= MAX_DRAIN_SECONDS))
        failures.push({
            property: "drainTimeoutSeconds",
            reason: `must be a number of seconds from 0 to ${MAX_DRAIN_SECONDS}`,
        });
    if (known(news.key) && (typeof news.key !== "object" || news.key === null || Array.isArray(news.key)))
        failures.push({ property: "key", reason: "must be an object of the container's replacement key parts" });
    if (news.adminPassword !== undefined && known(news.adminPassword) && typeof news.adminPassword !== "string")
        failures.push({ property: "adminPassword", reason: "must be text" });
    return failures;
}

/** JSON with sorted keys: the same key compares equal whatever order its parts arrived in. */
function canonical(v: unknown): string {
    if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
    if (typeof v === "object" && v !== null) {
        return `{${Object.keys(v)
            .sort()
            .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
            .join(",")}}`;
    }
    return JSON.stringify(v ?? null);
}

function recorded(inputs: EngineProps): Omit<GateOutputs, "waitedSeconds" | "drained"> {
    const out = Object.fromEntries(RECORDED.map((k) => [k, inputs[k]]));
    return { ...out, key: inputs.key } as Omit<GateOutputs, "waitedSeconds" | "drained">;
}

/** A message with the password cut out, whatever the driver put in it. */
function redact(message: string, password: string | undefined): string {
    return password ? message.split(password).join("***") : message;
}

interface AdminSession {
    poll(): Promise<RoleSessions[]>;
    end(): Promise<void>;
}

async function adminSession(i: GateInputs): Promise<AdminSession> {
    const { Client } = require("pg") as typeof import("pg");
    const password = i.adminPassword ?? process.env.PGPASSWORD;
    const client = new Client({
        host: i.host,
        port: i.port,
        user: i.adminUser,
        password,
        database: "postgres",
        ssl: pgSsl(i.sslmode),
        connectionTimeoutMillis: 10_000,
        query_timeout: 10_000,
        application_name: "tailwart one-instance gate",
    });
    // a dropped connection surfaces as the next query's error; unhandled, the event would end the host
    client.on("error", () => undefined);
    const fail = (what: string, e: unknown): never => {
        const why = redact(e instanceof Error ? e.message : String(e), password);
        const source =
            i.adminPassword !== undefined
                ? "tailwart:postgres.adminPassword"
                : password !== undefined
                  ? "env PGPASSWORD"
                  : "no password: set tailwart:postgres.adminPassword or PGPASSWORD";
        throw new Error(
            `one-instance gate: ${what} Postgres ${i.host}:${i.port} as ${i.adminUser}: ${why}; check tailwart:postgres.adminUser and its password (${source})`,
        );
    };
    try {
        await client.connect();
    } catch (e) {
        await client.end().catch(() => undefined);
        fail("cannot log in to", e);
    }
    return {
        poll: async () => {
            try {
                return (await client.query<RoleSessions>(ROLE_SESSIONS_QUERY, [i.role])).rows;
            } catch (e) {
                return fail("lost its session on", e);
            }
        },
        end: () => client.end().catch(() => undefined),
    };
}

/** Waits for the role's sessions to close; throws the blocked message when the time is up. */
async function openGate(i: GateInputs): Promise<GateOutputs> {
    const session = await adminSession(i);
    try {
        const result = await waitForDrain(
            session.poll,
            { timeoutMs: i.drainTimeoutSeconds * 1000, ...DRAIN_BACKOFF },
            realClock,
        );
        if (!result.drained) throw new Error(blockedMessage(i, result, i.drainTimeoutSeconds));
        return { ...recorded(i), waitedSeconds: Math.round(result.waitedMs / 100) / 10, drained: result.seen };
    } finally {
        await session.end();
    }
}

export function oneInstanceGateProvider(): pulumi.dynamic.ResourceProvider {
    return {
        async configure() {
            // nothing from the stack config: the admin password is an input (a Pulumi secret) or PGPASSWORD at call time
        },
        async check(_olds: EngineProps, news: EngineProps) {
            return { inputs: news, failures: checkInputs(news) };
        },
        async diff(_id: string, olds: EngineProps, news: EngineProps) {
            // an unknown part (a replaced image, sidecar or secret) may be a new container: replace, old gate first
            const keyChanged =
                JSON.stringify(news.key ?? null).includes(UNKNOWN) || canonical(olds.key) !== canonical(news.key);
            const changed = keyChanged || RECORDED.some((k) => canonical(olds[k]) !== canonical(news[k]));
            return { changes: changed, replaces: keyChanged ? ["key"] : [], deleteBeforeReplace: true };
        },
        async create(inputs: EngineProps) {
            const outs = await openGate(inputs as GateInputs);
            return { id: `${outs.role}@${outs.host}:${outs.port}`, outs };
        },
        async update(_id: string, olds: EngineProps, news: EngineProps) {
            // the same container keeps running: nothing starts, so nothing to wait for
            return { outs: { ...recorded(news), waitedSeconds: olds.waitedSeconds ?? 0, drained: olds.drained ?? [] } };
        },
        async read(id: string, props: EngineProps) {
            return { id, props };
        },
        async delete() {
            // the gate guards a start; there is nothing in Postgres to remove
        },
    };
}
