/**
 * `npm run bench [-- --json bench-results.json]`: figures for the x:* provider, measured with the real
 * serialized providers run by the Pulumi SDK's dynamic-provider host over gRPC against the in-repo
 * Stalwart simulator (test/support/stalwart). It prints a table and asserts nothing about time; it exits
 * non-zero only when something does not work (a check failure, a refused write, a lost object).
 *
 *   - HTTP requests per create / update / read / delete of a collection object (x:Domain), and per
 *     create / update of a singleton (x:Authentication): from the simulator's counters; goal 1.0, but 2
 *     for a collection create (the look-up of what exists, then create + read-back: decision 012).
 *   - JMAP writes during a no-op second apply of a 40-object configuration (check + diff of every
 *     object with the same inputs, update only where diff says so); goal 0.
 *   - wall time of the first apply of those 40 objects (check + create through the host, domains
 *     first, then the rest with at most PARALLEL in flight) plus one StalwartConvergence create.
 *   - size of the serialized `__provider` per x:* type (max, median, x:Domain), of the convergence
 *     provider and of the Garage bucket-grant provider.
 *   - peak RSS of this process and of the provider host process.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { shippedBucketGrantProvider } from "../components/backends/garage/bucket";
import type { TrackedObject } from "../components/stalwart/convergence/changes";
import { shippedConvergenceProvider } from "../components/stalwart/convergence";
import { EXCLUDED_OBJECTS } from "../components/stalwart/generated/excluded";
import { stalwartProvider } from "../components/stalwart/provider";
import { TABLE } from "../components/stalwart/schema/table";
import { CONTENT_KEY, volatileProperties } from "../components/stalwart/settings";
import { type PlainObject, ProviderHost, serializeProvider } from "../test/support/providerHost";
import { type StalwartSimulator, startStalwartSimulator } from "../test/support/stalwart";
import { type Obj, printResults } from "./benchReport";

/** Resources in flight at once during the first apply (what `pulumi up --parallel 8` would allow). */
const PARALLEL = 8;
/** Objects per operation for the requests-per-operation figures. */
const SAMPLES = 10;
const CONVERGENCE_TYPE = "pulumi-nodejs:dynamic/stalwart:Convergence";

class FunctionalError extends Error {}

interface Spec {
    key: string;
    objectType: string;
    properties: Obj;
    /** property → key of the spec whose id it takes (applied before this one) */
    refs?: Record<string, string>;
}

interface Applied {
    spec: Spec;
    id: string;
    inputs: PlainObject;
    outs: Obj;
}

/** The 40-object configuration: 12 domains, 8 listeners, 6 tracers, 6 roles, 4 OAuth clients, 4 singletons. */
function configuration(): Spec[] {
    const specs: Spec[] = [];
    for (let i = 0; i < 12; i++) {
        specs.push({
            key: `domain${i}`,
            objectType: "x:Domain",
            properties: {
                name: `Bench${i}.test`,
                dkimManagement: { "@type": "Manual" },
                description: `bench domain ${i}`,
            },
        });
    }
    const ports = [25, 465, 587, 143, 993, 110, 995, 4190];
    const protocols = ["smtp", "smtp", "smtp", "imap", "imap", "pop3", "pop3", "manageSieve"];
    ports.forEach((port, i) => {
        specs.push({
            key: `listener${i}`,
            objectType: "x:NetworkListener",
            properties: {
                name: `bench-${port}`,
                bind: [`[::]:${port}`],
                protocol: protocols[i],
                overrideProxyTrustedNetworks: ["100.64.0.0/10"],
            },
        });
    });
    for (let i = 0; i < 6; i++) {
        const variant =
            i % 2 === 0
                ? { "@type": "Stdout", level: "info", enable: i < 2 }
                : { "@type": "Log", path: "/var/lib/stalwart", prefix: `bench${i}`, level: "warn", enable: false };
        specs.push({ key: `tracer${i}`, objectType: "x:Tracer", properties: variant });
    }
    for (let i = 0; i < 6; i++)
        specs.push({ key: `role${i}`, objectType: "x:Role", properties: { description: `bench role ${i}` } });
    for (let i = 0; i < 4; i++) {
        specs.push({
            key: `client${i}`,
            objectType: "x:OAuthClient",
            properties: {
                clientId: `bench-client-${i}`,
                description: `bench client ${i}`,
                secret: `bench-secret-${i}-${"x".repeat(24)}`,
                redirectUris: [`https://app${i}.test/callback`],
            },
        });
    }
    specs.push({
        key: "authentication",
        objectType: "x:Authentication",
        properties: { maxApiKeys: 20, passwordDefaultExpiry: "90d" },
    });
    specs.push({
        key: "system",
        objectType: "x:SystemSettings",
        properties: { defaultHostname: "mail.bench0.test", proxyTrustedNetworks: ["100.64.0.0/10"] },
        refs: { defaultDomainId: "domain0" },
    });
    specs.push({ key: "imap", objectType: "x:Imap", properties: { timeoutIdle: "30m", maxConcurrent: 8 } });
    specs.push({ key: "sharing", objectType: "x:Sharing", properties: { maxShares: 20 } });
    return specs;
}

const urnType = (objectType: string) => `pulumi-nodejs:dynamic/stalwart:${objectType.replace(/^x:/, "")}`;

class Bench {
    private readonly texts = new Map<string, string>();

    constructor(
        readonly host: ProviderHost,
        readonly sim: StalwartSimulator,
        /** argv the convergence runs to restart Stalwart: here, an HTTP hook that restarts the simulator */
        readonly restartCommand: string[],
    ) {}

    async text(objectType: string): Promise<string> {
        let t = this.texts.get(objectType);
        if (!t) {
            t = await serializeProvider(stalwartProvider(objectType));
            this.texts.set(objectType, t);
        }
        return t;
    }

    async check(objectType: string, properties: Obj, olds: PlainObject = {}): Promise<PlainObject> {
        const { inputs, failures } = await this.host.check(
            olds,
            { objectType, properties, __provider: await this.text(objectType) },
            { type: urnType(objectType) },
        );
        if (failures.length)
            throw new FunctionalError(
                `check ${objectType} failed: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`,
            );
        return inputs;
    }

    async apply(spec: Spec, ids: Record<string, string>): Promise<Applied> {
        const inputs = await this.check(spec.objectType, resolve(spec, ids));
        const { id, properties } = await this.host.create(inputs, { type: urnType(spec.objectType) });
        if (!id) throw new FunctionalError(`create ${spec.key} returned no id`);
        return { spec, id, inputs, outs: properties };
    }
}

function resolve(spec: Spec, ids: Record<string, string>): Obj {
    const props = { ...spec.properties };
    for (const [path, ref] of Object.entries(spec.refs ?? {})) {
        const id = ids[ref];
        if (!id) throw new FunctionalError(`${spec.key}.${path} refers to ${ref}, which was not applied first`);
        props[path] = id;
    }
    return props;
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping the order of the results. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
    const results: R[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
        for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i]!);
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return results;
}

const tracked = (applied: Applied[]): TrackedObject[] =>
    applied.map(({ outs }) => ({
        objectType: outs.objectType,
        objectId: outs.objectId,
        properties: { ...outs.properties, [CONTENT_KEY]: outs.contentHash },
        volatile: volatileProperties(outs.objectType),
    }));

/** Requests per operation on SAMPLES objects of a collection type and on a singleton. */
async function requestsPerOperation(b: Bench): Promise<Obj> {
    const { sim, host } = b;
    const per = (n: number) => sim.counters.requests / n;
    const type = urnType("x:Domain");
    const made: { id: string; inputs: PlainObject; outs: Obj }[] = [];
    const inputs = [];
    for (let i = 0; i < SAMPLES; i++)
        inputs.push(await b.check("x:Domain", { name: `ops${i}.test`, dkimManagement: { "@type": "Manual" } }));
    sim.resetCounters();
    for (const i of inputs) {
        const { id, properties } = await host.create(i, { type });
        made.push({ id, inputs: i, outs: properties });
    }
    const create = per(SAMPLES);
    const changed = [];
    for (const m of made)
        changed.push(await b.check("x:Domain", { ...(m.inputs.properties as Obj), description: "changed" }, m.inputs));
    sim.resetCounters();
    for (const [i, m] of made.entries()) m.outs = (await host.update(m.id, m.outs, changed[i]!, { type })).properties;
    const update = per(SAMPLES);
    sim.resetCounters();
    for (const m of made) {
        const r = await host.read(m.id, m.outs, undefined, { type });
        if (r.id !== m.id) throw new FunctionalError(`read of x:Domain ${m.id} reported it gone`);
    }
    const read = per(SAMPLES);
    sim.resetCounters();
    for (const m of made) await host.delete(m.id, m.outs, { type });
    const del = per(SAMPLES);
    if (Object.keys(sim.stored("x:Domain")).some((id) => made.some((m) => m.id === id)))
        throw new FunctionalError("a deleted x:Domain is still stored");

    const stype = urnType("x:Authentication");
    const s1 = await b.check("x:Authentication", { maxAppPasswords: 7 });
    sim.resetCounters();
    const created = await host.create(s1, { type: stype });
    const singletonCreate = sim.counters.requests;
    const s2 = await b.check("x:Authentication", { maxAppPasswords: 8 }, s1);
    sim.resetCounters();
    await host.update("singleton", created.properties, s2, { type: stype });
    const singletonUpdate = sim.counters.requests;
    if (sim.stored("x:Authentication", "singleton")?.maxAppPasswords !== 8)
        throw new FunctionalError("the singleton update did not reach the server");
    return { create, update, read, delete: del, singletonCreate, singletonUpdate };
}

async function fortyObjects(b: Bench): Promise<Obj> {
    const { sim, host } = b;
    const specs = configuration();
    if (specs.length !== 40) throw new FunctionalError(`the configuration has ${specs.length} objects, not 40`);
    const convergenceText = await serializeProvider(shippedConvergenceProvider());
    for (const s of specs) await b.text(s.objectType);

    // first apply: what `pulumi up` does on an empty stack
    sim.resetCounters();
    const started = process.hrtime.bigint();
    const ids: Record<string, string> = {};
    const independent = specs.filter((s) => !s.refs);
    const first = await pool(independent, PARALLEL, (s) => b.apply(s, ids));
    for (const a of first) ids[a.spec.key] = a.id;
    const dependent = await pool(
        specs.filter((s) => s.refs),
        PARALLEL,
        (s) => b.apply(s, ids),
    );
    const applied = [...first, ...dependent];
    const createsMs = Number(process.hrtime.bigint() - started) / 1e6;
    const convInputs = {
        objects: tracked(applied),
        restartCommand: b.restartCommand,
        readiness: { attempts: 3, baseDelayMs: 200, liveTimeoutMs: 10_000 },
        __provider: convergenceText,
    };
    const conv = await host.create(convInputs, { type: CONVERGENCE_TYPE });
    const firstApplyMs = Number(process.hrtime.bigint() - started) / 1e6;
    const firstApply = {
        requests: sim.counters.requests,
        jmapWrites: sim.counters.jmapWrites,
        restarted: conv.properties.restarted,
        reloads: conv.properties.reloads,
        verified: conv.properties.verified,
        pendingRestart: (conv.properties.pendingRestart as unknown[]).length,
    };
    if (conv.properties.verified !== 40)
        throw new FunctionalError(`convergence verified ${conv.properties.verified} objects, not 40`);

    // second apply with the same program: check + diff each, update only where diff says some
    sim.resetCounters();
    const secondStarted = process.hrtime.bigint();
    const changed: string[] = [];
    const after = await pool(applied, PARALLEL, async (a) => {
        const news = await b.check(a.spec.objectType, resolve(a.spec, ids), a.inputs);
        const d = await host.diff(a.id, a.outs, news, { type: urnType(a.spec.objectType) });
        if (d.changes === "none") return a;
        changed.push(a.spec.key);
        const { properties } = await host.update(a.id, a.outs, news, { type: urnType(a.spec.objectType) });
        return { ...a, inputs: news, outs: properties };
    });
    const convNews = { ...convInputs, objects: tracked(after) };
    const convDiff = await host.diff("convergence", conv.properties, convNews, { type: CONVERGENCE_TYPE });
    if (convDiff.changes !== "none") {
        changed.push("convergence");
        await host.update("convergence", conv.properties, convNews, { type: CONVERGENCE_TYPE });
    }
    const secondApplyMs = Number(process.hrtime.bigint() - secondStarted) / 1e6;
    const secondApply = {
        jmapWrites: sim.counters.jmapWrites,
        requests: sim.counters.requests,
        resourcesChanged: changed.length,
        changed,
    };
    return {
        objects: specs.length,
        parallel: PARALLEL,
        firstApplyMs,
        createsMs,
        convergenceMs: firstApplyMs - createsMs,
        firstApply,
        secondApplyMs,
        secondApply,
    };
}

async function sizes(): Promise<Obj> {
    const types = Object.keys(TABLE.objects).filter((t) => !EXCLUDED_OBJECTS[t]);
    const perType: Record<string, number> = {};
    for (const t of types) perType[t] = (await serializeProvider(stalwartProvider(t))).length;
    const sorted = Object.entries(perType).sort((a, b) => a[1] - b[1]);
    const mid = sorted.length / 2;
    const median = sorted.length % 2 ? sorted[Math.floor(mid)]![1] : (sorted[mid - 1]![1] + sorted[mid]![1]) / 2;
    const [maxType, max] = sorted[sorted.length - 1]!;
    return {
        types: types.length,
        max,
        maxType,
        median,
        domain: perType["x:Domain"],
        convergence: (await serializeProvider(shippedConvergenceProvider())).length,
        garageBucketGrant: (await serializeProvider(shippedBucketGrantProvider())).length,
    };
}

/** VmHWM of a process in KiB (Linux), or undefined. */
function peakRssKiB(pid: number | undefined): number | undefined {
    if (pid === undefined) return undefined;
    try {
        const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
        return m ? Number(m[1]) : undefined;
    } catch {
        return undefined;
    }
}

async function main(): Promise<void> {
    const argv = process.argv.slice(2);
    const jsonAt = argv.indexOf("--json");
    const jsonFile = jsonAt >= 0 ? argv[jsonAt + 1] : undefined;
    if (jsonAt >= 0 && !jsonFile) throw new FunctionalError("--json needs a file name, e.g. --json bench-results.json");

    const sim = await startStalwartSimulator();
    const [user, password] = sim.adminCredentials.split(":") as [string, string];
    const host = await ProviderHost.start({
        env: { STALWART_URL: sim.url, STALWART_USER: user, STALWART_PASSWORD: password, STALWART_TOKEN: undefined },
    });
    // the deployment restarts Stalwart with `docker restart`; here a hook restarts the simulator
    const hook = createServer((_req, res) => {
        sim.restart().then(
            () => res.end("ok"),
            () => res.writeHead(500).end(),
        );
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
    const hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/`;
    const restartCommand = [
        process.execPath,
        "-e",
        `fetch(${JSON.stringify(hookUrl)}).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(2))`,
    ];
    let results: Obj;
    try {
        const b = new Bench(host, sim, restartCommand);
        const requests = await requestsPerOperation(b);
        const forty = await fortyObjects(b);
        const size = await sizes();
        const memory = { benchMaxRssKiB: process.resourceUsage().maxRSS, hostMaxRssKiB: peakRssKiB(host.pid) };
        results = {
            node: process.version,
            cpus: (await import("node:os")).cpus().length,
            requests,
            forty,
            size,
            memory,
        };
    } finally {
        await host.stop();
        await sim.close();
        await new Promise((r) => hook.close(r));
    }

    printResults(results);
    if (jsonFile) {
        writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
        console.log(`\nfigures written to ${jsonFile}`);
    }
}

main().then(
    () => process.exit(0),
    (e: unknown) => {
        console.error(e instanceof FunctionalError ? `bench: ${e.message}` : e);
        process.exit(1);
    },
);
