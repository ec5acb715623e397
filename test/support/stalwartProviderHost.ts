/**
 * The fixture the x:* provider tests share: a Stalwart simulator and a dynamic-provider host that
 * reaches it through `stalwart:*` config only (the credential env variables cleared), plus the
 * serialized provider of each type, made once per file.
 */
import { afterAll, beforeAll, expect } from "vitest";
import { jmapRequest, type MethodCall } from "../../components/stalwart/jmap";
import { stalwartProvider } from "../../components/stalwart/provider";
import { type PlainObject, ProviderHost, serializeProvider } from "./providerHost";
import { type LoggedRequest, type SimulatorOptions, startStalwartSimulator, type StalwartSimulator } from "./stalwart";

/** Clears the credential variables, so a host uses its config (or the test's own env) only. */
export const NO_STALWART_ENV = {
    STALWART_URL: undefined,
    STALWART_TOKEN: undefined,
    STALWART_USER: undefined,
    STALWART_PASSWORD: undefined,
};

export interface StalwartProviderFixture {
    sim: StalwartSimulator;
    host: ProviderHost;
    /** the serialized `__provider` of an x:* type */
    provider(type: string): Promise<string>;
    /** the resource inputs as StalwartObject registers them, through check (which must pass) */
    inputs(objectType: string, properties: unknown, extra?: PlainObject, on?: ProviderHost): Promise<PlainObject>;
    /** check + create, counting the HTTP requests the create made */
    create(
        objectType: string,
        properties: unknown,
        extra?: PlainObject,
    ): Promise<{ news: PlainObject; id: string; outs: PlainObject; requests: number }>;
    /** a write straight to the server, as someone editing by hand would do */
    byHand(calls: MethodCall[]): Promise<MethodCall[]>;
    /** creates one object by hand and returns its id */
    made(type: string, value: PlainObject): Promise<string>;
    /** the /set calls the simulator received since its last resetCounters */
    setCalls(): LoggedRequest["methodCalls"];
}

/**
 * Registers beforeAll/afterAll hooks; the returned object's fields are set once beforeAll ran.
 * `simulator` options and extra `stalwart:*` `config` (e.g. stalwart:requestTimeoutMs) are optional.
 */
export function useStalwartProviderHost(
    options: { simulator?: SimulatorOptions; config?: PlainObject } = {},
): StalwartProviderFixture {
    const texts = new Map<string, string>();
    const fixture = {
        async provider(type: string) {
            if (!texts.has(type)) texts.set(type, await serializeProvider(stalwartProvider(type)));
            return texts.get(type)!;
        },
        async inputs(objectType: string, properties: unknown, extra: PlainObject = {}, on?: ProviderHost) {
            const r = await (on ?? fixture.host).check(
                {},
                { objectType, properties, ...extra, __provider: await fixture.provider(objectType) },
            );
            expect(r.failures).toEqual([]);
            return r.inputs;
        },
        async create(objectType: string, properties: unknown, extra: PlainObject = {}) {
            const news = await fixture.inputs(objectType, properties, extra);
            fixture.sim.resetCounters();
            const created = await fixture.host.create(news);
            return { news, id: created.id, outs: created.properties, requests: fixture.sim.counters.requests };
        },
        async byHand(calls: MethodCall[]) {
            return (
                await jmapRequest(
                    { url: fixture.sim.url, authorization: fixture.sim.basicAuthHeader, source: "test" },
                    calls,
                )
            ).responses;
        },
        setCalls() {
            return fixture.sim.jmapLog.flatMap((b) => b.methodCalls.filter((c) => c[0].endsWith("/set")));
        },
        async made(type: string, value: PlainObject) {
            const [[, r]] = (await fixture.byHand([[`${type}/set`, { create: { h: value } }, "0"]])) as [
                [string, { created?: { h?: { id: string } }; notCreated?: unknown }, string],
            ];
            if (!r.created?.h) throw new Error(`${type}: ${JSON.stringify(r.notCreated)}`);
            return String(r.created.h.id);
        },
    } as StalwartProviderFixture;
    beforeAll(async () => {
        fixture.sim = await startStalwartSimulator(options.simulator);
        const [user, password] = fixture.sim.adminCredentials.split(":") as [string, string];
        const config = {
            "stalwart:url": fixture.sim.url,
            "stalwart:user": user,
            "stalwart:password": password,
            ...options.config,
        };
        fixture.host = await ProviderHost.start({ config, env: NO_STALWART_ENV });
    });
    afterAll(async () => {
        await fixture.host?.stop();
        await fixture.sim?.close();
    });
    return fixture;
}
