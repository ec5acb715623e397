// What the convergence provider's tests share: a Stalwart simulator, a restart hook the
// restartCommand calls (counting restarts), a dynamic-provider host reaching the simulator through
// the environment, the serialized convergence provider, and helpers that write objects by hand and
// track them as StalwartObject would.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import { shippedConvergenceProvider } from "../../components/stalwart/convergence";
import type { TrackedObject } from "../../components/stalwart/convergence/changes";
import { type PlainObject, ProviderHost, serializeProvider } from "./providerHost";
import { type StalwartSimulator, startStalwartSimulator } from "./stalwart";

export const CONVERGENCE = "pulumi-nodejs:dynamic/stalwart:Convergence";
export const FAST = { attempts: 3, baseDelayMs: 50, liveTimeoutMs: 10_000 };

export interface ConvergenceFixture {
    sim: StalwartSimulator;
    host: ProviderHost;
    providerText: string;
    /** restarts the hook ran since the last test started */
    restarts: number;
    restartCommand(): string[];
    /** the convergence's inputs over `objects`, with the fast readiness gate */
    inputs(objects: TrackedObject[], extra?: PlainObject): PlainObject;
    /** a request straight to the simulator */
    jmap(calls: unknown[]): Promise<any[]>;
    /** an object created by hand, tracked as StalwartObject would (no adoption recorded) */
    create(objectType: string, props: PlainObject): Promise<TrackedObject>;
    read(objectType: string, id: string): Promise<TrackedObject>;
    update(objectType: string, id: string, patch: PlainObject): Promise<TrackedObject>;
}

/** Registers beforeAll/afterAll/beforeEach hooks; the fields are set once beforeAll ran. */
export function useConvergenceHost(): ConvergenceFixture {
    let hook: Server;
    let url = "";
    const f = {
        restarts: 0,
        restartCommand: () => [
            process.execPath,
            "-e",
            `fetch(${JSON.stringify(url)}).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(2))`,
        ],
        inputs: (objects: TrackedObject[], extra: PlainObject = {}) => ({
            objects,
            readiness: FAST,
            __provider: f.providerText,
            ...extra,
        }),
        async jmap(calls: unknown[]) {
            const r = await fetch(`${f.sim.url}/jmap`, {
                method: "POST",
                headers: { "content-type": "application/json", authorization: f.sim.basicAuthHeader },
                body: JSON.stringify({ using: ["urn:ietf:params:jmap:core", "urn:stalwart:jmap"], methodCalls: calls }),
            });
            return ((await r.json()) as { methodResponses: any[] }).methodResponses;
        },
        async create(objectType: string, props: PlainObject): Promise<TrackedObject> {
            const [[, set], [, got]] = await f.jmap([
                [`${objectType}/set`, { create: { c: props } }, "s"],
                [`${objectType}/get`, { ids: ["#c"] }, "g"],
            ]);
            expect(set.notCreated, JSON.stringify(set.notCreated)).toBeUndefined();
            const { id, ...properties } = got.list[0];
            return { objectType, objectId: id, properties };
        },
        async read(objectType: string, id: string): Promise<TrackedObject> {
            const [[, got]] = await f.jmap([[`${objectType}/get`, { ids: [id] }, "g"]]);
            const { id: _id, ...properties } = got.list[0];
            return { objectType, objectId: id, properties };
        },
        async update(objectType: string, id: string, patch: PlainObject): Promise<TrackedObject> {
            const [[, set]] = await f.jmap([[`${objectType}/set`, { update: { [id]: patch } }, "u"]]);
            expect(set.notUpdated, JSON.stringify(set.notUpdated)).toBeUndefined();
            return f.read(objectType, id);
        },
    } as unknown as ConvergenceFixture;
    beforeAll(async () => {
        f.sim = await startStalwartSimulator({ restartDownMs: 300 });
        hook = createServer((_req, res) => {
            f.restarts++;
            f.sim.restart().then(
                () => res.end("ok"),
                () => res.writeHead(500).end(),
            );
        });
        await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
        url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`;
        f.providerText = await serializeProvider(shippedConvergenceProvider());
        const [user, password] = f.sim.adminCredentials.split(":");
        f.host = await ProviderHost.start({
            env: {
                STALWART_URL: f.sim.url,
                STALWART_USER: user,
                STALWART_PASSWORD: password,
                STALWART_TOKEN: undefined,
            },
        });
    });
    afterAll(async () => {
        await f.host?.stop();
        await f.sim?.close();
        await new Promise((r) => hook?.close(r));
    });
    beforeEach(() => {
        f.restarts = 0;
    });
    return f;
}
