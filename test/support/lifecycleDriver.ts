// The life-cycle driver: the engine's calls for one x:* type through the SDK's dynamic-provider host,
// a recording proxy in front of the Stalwart under test (requests per operation, every write body),
// and an independent JMAP client to check what the server holds. test/support/lifecycle.ts runs the
// suite with it, against a real Stalwart (test/acceptance) or the simulator (test/provider).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { expect } from "vitest";
import { shippedConvergenceProvider } from "../../components/stalwart/convergence";
import type { FetchFailure } from "../../components/stalwart/jmap";
import { stalwartProvider } from "../../components/stalwart/provider";
import { type PlainObject, ProviderHost, serializeProvider } from "./providerHost";

/** Where the suite runs: a server and credentials the provider accepts. */
export interface LifecycleTarget {
    /** base URL, e.g. http://127.0.0.1:8080 (requests go to `<url>/jmap`) */
    url: string;
    credentials: { token: string } | { user: string; password: string };
    /** a server that can show what it stores unmasked (the simulator): checks secrets reach it intact */
    stored?: (objectType: string, id: string) => Record<string, unknown> | undefined;
}

/** The acceptance target from STALWART_URL and STALWART_TOKEN or STALWART_USER + STALWART_PASSWORD. */
export function targetFromEnv(env: Record<string, string | undefined>): { target: LifecycleTarget } | { skip: string } {
    const set = (k: string) => typeof env[k] === "string" && env[k] !== "";
    if (!set("STALWART_URL")) return { skip: "STALWART_URL is not set" };
    if (set("STALWART_TOKEN"))
        return { target: { url: env.STALWART_URL!, credentials: { token: env.STALWART_TOKEN! } } };
    if (set("STALWART_USER") && set("STALWART_PASSWORD")) {
        return {
            target: {
                url: env.STALWART_URL!,
                credentials: { user: env.STALWART_USER!, password: env.STALWART_PASSWORD! },
            },
        };
    }
    return { skip: "neither STALWART_TOKEN nor STALWART_USER and STALWART_PASSWORD is set" };
}

export const authorizationOf = (c: LifecycleTarget["credentials"]): string =>
    "token" in c ? `Bearer ${c.token}` : `Basic ${Buffer.from(`${c.user}:${c.password}`, "utf8").toString("base64")}`;

/** The provider host's environment for a target reached at `url` (the credentials' other form removed). */
export function hostEnv(url: string, c: LifecycleTarget["credentials"]): Record<string, string | undefined> {
    return "token" in c
        ? { STALWART_URL: url, STALWART_TOKEN: c.token, STALWART_USER: undefined, STALWART_PASSWORD: undefined }
        : { STALWART_URL: url, STALWART_TOKEN: undefined, STALWART_USER: c.user, STALWART_PASSWORD: c.password };
}

// The server's JSON and the provider's outputs, read by many assertions of a shape the server
// decides (docs/stalwart-facts.md): kept `any` here and in the Record<string, any> results below, in the
// test driver only, rather than cast at each read.
export type JmapCall = [string, any, string];

export interface Recorded {
    method: string;
    path: string;
    body: string;
    /** the JMAP method calls of a POST /jmap */
    calls: JmapCall[];
}

/** An HTTP proxy in front of a Stalwart that keeps every request it forwards. */
export class RecordingProxy {
    readonly log: Recorded[] = [];

    private constructor(
        private readonly server: Server,
        readonly url: string,
    ) {}

    static async start(upstream: string): Promise<RecordingProxy> {
        const base = upstream.replace(/\/+$/, "");
        let proxy: RecordingProxy | undefined;
        const server = createServer((req, res) => {
            proxy!.forward(base, req, res).catch(() => res.destroy());
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const address = server.address();
        if (!address || typeof address === "string") throw new Error("recording proxy has no TCP address");
        proxy = new RecordingProxy(server, `http://127.0.0.1:${address.port}`);
        return proxy;
    }

    /** Position in the log; `since(mark)` is what was sent after it. */
    mark(): number {
        return this.log.length;
    }

    since(mark: number): Recorded[] {
        return this.log.slice(mark);
    }

    close(): Promise<void> {
        this.server.closeAllConnections();
        return new Promise((resolve) => this.server.close(() => resolve()));
    }

    private async forward(base: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const body = Buffer.concat(chunks).toString("utf8");
        let calls: JmapCall[] = [];
        try {
            const parsed = JSON.parse(body);
            if (Array.isArray(parsed?.methodCalls)) calls = parsed.methodCalls;
        } catch {
            // not JMAP: recorded with no calls
        }
        this.log.push({ method: req.method ?? "GET", path: req.url ?? "/", body, calls });
        const headers: Record<string, string> = {};
        for (const name of ["authorization", "content-type", "accept"]) {
            const v = req.headers[name];
            if (typeof v === "string") headers[name] = v;
        }
        let upstream: Response;
        try {
            upstream = await fetch(`${base}${req.url ?? "/"}`, {
                method: req.method,
                headers,
                body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
            });
        } catch {
            // the server is down: the client sees a broken connection, as it would without the proxy
            req.socket.destroy();
            return;
        }
        const out: Record<string, string> = {};
        for (const name of ["content-type", "retry-after"]) {
            const v = upstream.headers.get(name);
            if (v !== null) out[name] = v;
        }
        res.writeHead(upstream.status, out);
        res.end(Buffer.from(await upstream.arrayBuffer()));
    }
}

/** The `/set` calls of some requests (`x:Action/set` included). */
export const setCalls = (records: Recorded[]): JmapCall[] =>
    records.flatMap((r) => r.calls.filter((c) => c[0].endsWith("/set")));

export const CONVERGENCE_TYPE = "pulumi-nodejs:dynamic/stalwart:Convergence";
const urnType = (objectType: string) => `pulumi-nodejs:dynamic/stalwart:${objectType.replace(/^x:/, "")}`;

/** The live handles a scenario works with; built in beforeAll. */
export interface Lifecycle {
    host: ProviderHost;
    proxy: RecordingProxy;
    target: LifecycleTarget;
    /** random per run: every name the suite creates contains it */
    suffix: string;
}

export interface Created {
    id: string;
    outs: PlainObject & Record<string, any>;
}

/**
 * The engine's calls for one x:* type. The helpers assert what the engine would refuse (check
 * failures) and remember what was created, so afterAll can remove it whatever failed in between.
 */
export class Driver {
    private readonly providers = new Map<string, string>();
    /** objects the suite created and has not deleted: type → ids */
    readonly leftovers = new Map<string, Set<string>>();
    readonly restores: (() => Promise<void>)[] = [];

    constructor(
        readonly ctx: Lifecycle,
        readonly authorization: string,
    ) {}

    async providerText(objectType: string): Promise<string> {
        let text = this.providers.get(objectType);
        if (!text) {
            text = await serializeProvider(
                objectType === "convergence" ? shippedConvergenceProvider() : stalwartProvider(objectType),
            );
            this.providers.set(objectType, text);
        }
        return text;
    }

    /** check(olds, news): the inputs the engine keeps, or the failures when `expectFailures`. */
    async check(
        objectType: string,
        properties: PlainObject,
        extra: PlainObject = {},
        olds: PlainObject = {},
    ): Promise<PlainObject & Record<string, any>> {
        const news = { objectType, properties, ...extra, __provider: await this.providerText(objectType) };
        const { inputs, failures } = await this.ctx.host.check(olds, news, { type: urnType(objectType) });
        expect(failures, `check ${objectType}`).toEqual([]);
        return inputs;
    }

    async failures(objectType: string, properties: PlainObject): Promise<string[]> {
        const news = { objectType, properties, __provider: await this.providerText(objectType) };
        return (await this.ctx.host.check({}, news, { type: urnType(objectType) })).failures.map((f) => f.property);
    }

    async create(inputs: PlainObject): Promise<Created> {
        const objectType = String(inputs.objectType);
        const { id, properties } = await this.ctx.host.create(inputs, { type: urnType(objectType) });
        if (id !== "singleton") this.remember(objectType, id);
        return { id, outs: properties };
    }

    diff(id: string, olds: PlainObject, news: PlainObject) {
        return this.ctx.host.diff(id, olds, news, { type: urnType(String(news.objectType)) });
    }

    async update(id: string, olds: PlainObject, news: PlainObject): Promise<Created> {
        const { properties } = await this.ctx.host.update(id, olds, news, { type: urnType(String(news.objectType)) });
        return { id, outs: properties };
    }

    read(id: string, olds: PlainObject, inputs?: PlainObject) {
        return this.ctx.host.read(id, olds, inputs, { type: urnType(String(olds.objectType)) });
    }

    async delete(id: string, olds: PlainObject): Promise<void> {
        await this.ctx.host.delete(id, olds, { type: urnType(String(olds.objectType)) });
        // an adopted object is given back, not deleted: it stays a leftover for cleanup
        if (olds.adopted !== true) this.leftovers.get(String(olds.objectType))?.delete(id);
    }

    remember(objectType: string, id: string): void {
        if (!this.leftovers.has(objectType)) this.leftovers.set(objectType, new Set());
        this.leftovers.get(objectType)!.add(id);
    }

    /** A JMAP request straight to the server, not through the proxy: the independent view. */
    async jmap(calls: JmapCall[]): Promise<JmapCall[]> {
        const r = await fetch(`${this.ctx.target.url.replace(/\/+$/, "")}/jmap`, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: this.authorization },
            body: JSON.stringify({ using: ["urn:ietf:params:jmap:core", "urn:stalwart:jmap"], methodCalls: calls }),
        });
        if (!r.ok) throw new Error(`direct JMAP request answered HTTP ${r.status}`);
        return ((await r.json()) as { methodResponses: JmapCall[] }).methodResponses;
    }

    /** The server's view of one object, or undefined when it is gone. */
    async get(objectType: string, id: string): Promise<Record<string, any> | undefined> {
        const [[name, args]] = (await this.jmap([[`${objectType}/get`, { ids: [id] }, "g"]])) as [JmapCall];
        if (name === "error") throw new Error(`${objectType}/get: ${args.type} ${args.description ?? ""}`);
        return args.list?.[0];
    }

    /** A /set straight to the server; fails the test when the server refuses it. */
    async set(objectType: string, args: PlainObject): Promise<Record<string, any>> {
        const [[name, result]] = (await this.jmap([[`${objectType}/set`, args, "s"]])) as [JmapCall];
        if (name === "error") throw new Error(`${objectType}/set: ${result.type} ${result.description ?? ""}`);
        for (const k of ["notCreated", "notUpdated", "notDestroyed"]) {
            expect(result[k], `${objectType}/set ${k}`).toBeFalsy();
        }
        return result;
    }

    /** Removes whatever the suite left behind and puts changed singletons back. */
    async cleanup(): Promise<void> {
        for (const restore of this.restores.splice(0)) await restore().catch(() => undefined);
        for (const [objectType, ids] of this.leftovers) {
            if (ids.size === 0) continue;
            await this.jmap([[`${objectType}/set`, { destroy: [...ids] }, "d"]]).catch(() => undefined);
        }
        this.leftovers.clear();
    }
}

/** Waits until the server answers an authenticated JMAP call (a fresh container takes a few seconds). */
export async function waitReady(target: LifecycleTarget, authorization: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = "no answer";
    while (Date.now() < deadline) {
        try {
            const r = await fetch(`${target.url.replace(/\/+$/, "")}/jmap`, {
                method: "POST",
                headers: { "content-type": "application/json", authorization },
                body: JSON.stringify({
                    using: ["urn:ietf:params:jmap:core", "urn:stalwart:jmap"],
                    methodCalls: [["x:Domain/query", {}, "q"]],
                }),
            });
            const body = (await r.json().catch(() => undefined)) as { methodResponses?: JmapCall[] } | undefined;
            if (r.ok && Array.isArray(body?.methodResponses) && body.methodResponses[0]?.[0] === "x:Domain/query")
                return;
            last = r.ok
                ? `unexpected answer ${JSON.stringify(body?.methodResponses?.[0]?.[1] ?? body).slice(0, 200)}`
                : `HTTP ${r.status}`;
        } catch (thrown) {
            const e = thrown as FetchFailure | undefined;
            last = String(e?.cause?.code ?? e?.message ?? thrown);
        }
        await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(
        `Stalwart at ${target.url} did not answer an authenticated x:Domain/query within ${timeoutMs} ms (last: ${last})`,
    );
}
