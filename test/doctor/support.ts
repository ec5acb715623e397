/**
 * What the doctor tests share: a fake network (names resolved from a table, ports mapped to local
 * servers, MX/TXT answers from maps, the real fetch and pg client), a stack config pointing at the
 * simulator, the plan's x:* objects written into the simulator as `pulumi up` would, and the
 * real PostgreSQL and Redis that .ci/run starts (TAILWART_TEST_PG_URL, TAILWART_TEST_REDIS_URL).
 */
import { createServer, isIP, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { Client } from "pg";
import {
    type Check,
    type CheckResult,
    doctorTarget,
    type DoctorNetwork,
    type DoctorTarget,
    type Env,
    runDoctor,
    tcpConnect,
} from "../../components/doctor";
import { parseZoneFile } from "../../components/doctor/zoneFile";
import type { Plan } from "../../components/plan";
import { type StalwartSimulator } from "../support/stalwart";
import { jmap, type MethodCall } from "../support/stalwart/client";
import { validRaw } from "../support/stackConfig";

export const DOMAIN = "example.org";
export const HOSTNAME = `mail.${DOMAIN}`;
export const ACME_STAGING = "https://acme-staging-v02.api.letsencrypt.org/directory";

export interface FakeNetwork extends DoctorNetwork {
    /** name → addresses (what lookup answers); a name absent here does not resolve */
    hosts: Record<string, string[]>;
    /** "name:port" → a local port on 127.0.0.1 that answers instead */
    ports: Record<string, number>;
    mx: Record<string, { exchange: string; priority: number }[]>;
    txt: Record<string, string[][]>;
}

const notFound = (name: string) => Object.assign(new Error(`queryA ENOTFOUND ${name}`), { code: "ENOTFOUND" });

export function fakeNetwork(init: Partial<Pick<FakeNetwork, "hosts" | "ports" | "mx" | "txt">> = {}): FakeNetwork {
    const net: FakeNetwork = {
        hosts: { ...init.hosts },
        ports: { ...init.ports },
        mx: { ...init.mx },
        txt: { ...init.txt },
        fetch: (url, req) => fetch(url, req),
        lookup: async (host) => {
            const found = net.hosts[host];
            if (!found) throw notFound(host);
            return found;
        },
        resolveMx: async (name) => {
            const found = net.mx[name];
            if (!found) throw notFound(name);
            return found;
        },
        resolveTxt: async (name) => {
            const found = net.txt[name];
            if (!found) throw notFound(name);
            return found;
        },
        connect: async (host, port, signal) => {
            const mapped = net.ports[`${host}:${port}`];
            if (mapped !== undefined) return tcpConnect("127.0.0.1", mapped, signal);
            const address = isIP(host) ? host : net.hosts[host]?.[0];
            if (!address) throw notFound(host);
            return tcpConnect(address, port, signal);
        },
        pgClient: (config) =>
            new Client({
                ...config,
                host: isIP(config.host) ? config.host : (net.hosts[config.host]?.[0] ?? config.host),
            }),
    };
    return net;
}

/** The `config:` map of a stack file: validRaw() under tailwart:, names under example.org, Stalwart at the simulator. */
export function stackConfig(
    sim: StalwartSimulator | undefined,
    patch: (raw: Record<string, any>) => void = () => undefined,
): Record<string, unknown> {
    const raw = validRaw();
    raw.domain = DOMAIN;
    raw.hostname = HOSTNAME;
    raw.acme = { directory: "staging", challenge: "tls-alpn-01", contact: [`postmaster@${DOMAIN}`] };
    patch(raw);
    const config: Record<string, unknown> = Object.fromEntries(
        Object.entries(raw).map(([k, v]) => [`tailwart:${k}`, v]),
    );
    if (sim) {
        const [user, password] = sim.adminCredentials.split(":");
        Object.assign(config, { "stalwart:url": sim.url, "stalwart:user": user, "stalwart:password": password });
    }
    return config;
}

export function target(
    sim: StalwartSimulator | undefined,
    patch?: (raw: Record<string, any>) => void,
    env: Env = {},
): DoctorTarget {
    return doctorTarget("dev", stackConfig(sim, patch), env);
}

/** Runs only the checks named (all when none are), against a network and a fixed clock. */
export async function run(
    t: DoctorTarget,
    net: DoctorNetwork,
    ids: string[] = [],
    opts: { knownSchemas?: Record<string, string>; timeoutMs?: number; checks?: Check[] } = {},
): Promise<Record<string, CheckResult>> {
    const { doctorChecks } = await import("../../components/doctor");
    const checks = (opts.checks ?? doctorChecks(t)).filter((c) => ids.length === 0 || ids.includes(c.id));
    const results = await runDoctor(t, {
        net,
        checks,
        knownSchemas: opts.knownSchemas,
        timeoutMs: opts.timeoutMs ?? 5_000,
        now: () => new Date("2026-11-22T12:00:00Z"),
    });
    return Object.fromEntries(results.map((r) => [r.id, r]));
}

/** `#key` references for a spec's refs, at their dotted paths. */
function withRefs(properties: Record<string, unknown>, refs: Record<string, string> = {}): Record<string, unknown> {
    // JSON round trip: plain data (a Secret would print as its mask; these tests hold none)
    const out = JSON.parse(JSON.stringify(properties)) as Record<string, unknown>;
    for (const [path, key] of Object.entries(refs)) {
        const parts = path.split(".");
        let at = out as Record<string, any>;
        for (const p of parts.slice(0, -1)) at = at[p] ??= {};
        at[parts[parts.length - 1]!] = `#${key}`;
    }
    return out;
}

/** Writes the plan's x:* objects into the simulator in one request, as a converged `pulumi up` leaves them. */
export async function converge(sim: StalwartSimulator, plan: Plan): Promise<void> {
    sim.setReachableAcmeDirectory(plan.stalwart.acmeDirectory, true);
    const calls: MethodCall[] = plan.stalwart.objects.map((o) => [
        `${o.objectType}/set`,
        { create: { [o.key]: withRefs(o.properties, o.refs) as any } },
        o.key,
    ]);
    const responses = await jmap(sim, calls);
    const failed = responses.filter(
        ([name, args]) => name === "error" || (args as { notCreated?: unknown }).notCreated,
    );
    if (failed.length) throw new Error(`converge: ${JSON.stringify(failed)}`);
}

/** Makes the fake resolver publish exactly what the simulator's zone file for DOMAIN says. */
export async function publishZone(sim: StalwartSimulator, net: FakeNetwork): Promise<void> {
    const [, got] = await jmap(sim, [
        ["x:Domain/query", { filter: { name: DOMAIN } }, "q"],
        ["x:Domain/get", { "#ids": { resultOf: "q", name: "x:Domain/query", path: "/ids" } }, "g"],
    ]);
    const zone = (got![1] as { list: { dnsZoneFile: string }[] }).list[0]!.dnsZoneFile;
    for (const r of parseZoneFile(zone, DOMAIN)) {
        if (r.type === "MX") {
            const [priority, exchange] = r.data.split(" ");
            (net.mx[r.name] ??= []).push({ priority: Number(priority), exchange: exchange! });
        } else if (r.type === "TXT") {
            // long values arrive split into 255-byte strings, as DNS carries them
            (net.txt[r.name] ??= []).push(r.data.match(/.{1,255}/g)!);
        }
    }
}

/** A TCP server on 127.0.0.1 handing each connection to `onConnection`; close() drops them all. */
export async function tcpServer(
    onConnection: (socket: import("node:net").Socket) => void,
): Promise<{ port: number; server: Server; close(): Promise<void> }> {
    const sockets = new Set<import("node:net").Socket>();
    const server = createServer((s) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
        s.on("error", () => undefined);
        onConnection(s);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        port: (server.address() as AddressInfo).port,
        server,
        close: async () => {
            for (const s of sockets) s.destroy();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        },
    };
}

/** The real servers .ci/run starts; outside CI their absence skips the suites that need them, with the reason. */
export function realServices(): { pg?: URL; redis?: URL; skip?: string } {
    const pg = process.env.TAILWART_TEST_PG_URL;
    const redis = process.env.TAILWART_TEST_REDIS_URL;
    if (pg && redis) return { pg: new URL(pg), redis: new URL(redis) };
    const missing = [!pg && "TAILWART_TEST_PG_URL", !redis && "TAILWART_TEST_REDIS_URL"].filter(Boolean).join(" and ");
    const why = `${missing} unset: start PostgreSQL and Redis with \`bash .ci/services.sh start\` (as root) and export what it prints`;
    // In CI the servers are part of the run: a missing one is a failure, not a skip.
    if (process.env.CI === "true") throw new Error(`${why} (CI=true: these tests must run; .ci/run starts them)`);
    return { skip: why };
}
