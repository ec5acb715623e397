// No twins (decision 012): a create whose answer is lost after the server applied it — a dropped
// connection, a proxy's 502 or 504, an answer after the client's timeout — ends with exactly one
// object for the resource, for types without a natural key (x:Tracer, x:AcmeProvider, x:DnsServer)
// and with one (x:NetworkListener); an identical object that existed before is never taken for it.
// Run by the SDK's dynamic-provider host over gRPC against the simulator, with a short request timeout.
import { describe, expect, it } from "vitest";
import { ACME_DIRECTORIES } from "../../components/config/rules";
import type { PlainObject } from "../support/providerHost";
import type { JsonObject, StalwartSimulator } from "../support/stalwart";
import { useStalwartProviderHost } from "../support/stalwartProviderHost";

/** The provider gives up on a request after this long; a late apply lands 500 ms after that. */
const TIMEOUT_MS = 400;
const LATE_MS = TIMEOUT_MS + 500;

const fixture = useStalwartProviderHost({
    simulator: { reachableAcmeDirectories: [ACME_DIRECTORIES.staging] },
    config: { "stalwart:requestTimeoutMs": String(TIMEOUT_MS) },
});

type LostAnswer = { kind: string; inject(sim: StalwartSimulator, method: string): void; settleMs: number };
const LOST: LostAnswer[] = [
    { kind: "drop", inject: (sim, m) => sim.faults.dropAfterCommit(1, m), settleMs: 0 },
    { kind: "502", inject: (sim, m) => sim.faults.failAfterCommit(1, 502, m), settleMs: 0 },
    { kind: "504", inject: (sim, m) => sim.faults.failAfterCommit(1, 504, m), settleMs: 0 },
    { kind: "late", inject: (sim, m) => sim.faults.applyLate(1, LATE_MS, m), settleMs: LATE_MS },
];

/** One object per type and kind of lost answer; `mine` tells the type's objects made from it apart. */
const TYPES: {
    type: string;
    props(kind: string, n: number): PlainObject;
    mine(kind: string, o: JsonObject): boolean;
    naturalKey?: boolean;
}[] = [
    {
        type: "x:Tracer",
        props: (kind) => ({ "@type": "Log", path: `/var/log/${kind}`, level: "warn" }),
        mine: (kind, o) => o.path === `/var/log/${kind}`,
    },
    {
        type: "x:AcmeProvider",
        props: (kind) => ({ directory: ACME_DIRECTORIES.staging, contact: [`${kind}@acme.test`] }),
        mine: (kind, o) => Object.keys(o.contact as JsonObject).includes(`${kind}@acme.test`),
    },
    {
        type: "x:DnsServer",
        props: (kind) => ({
            "@type": "Cloudflare",
            description: `dns ${kind}`,
            secret: { "@type": "Value", secret: `token-${kind}` },
        }),
        mine: (kind, o) => o.description === `dns ${kind}`,
    },
    {
        type: "x:NetworkListener",
        props: (kind, n) => ({ name: `lost-${kind}`, bind: [`[::]:${20_000 + n}`], protocol: "smtp" }),
        mine: (kind, o) => o.name === `lost-${kind}`,
        naturalKey: true,
    },
];

describe("a create whose answer is lost after the server applied it", () => {
    for (const [i, t] of TYPES.entries()) {
        it(`${t.type}: one object per resource after a drop, a 502, a 504 and an answer after the timeout${t.naturalKey ? "" : "; an identical object from before is never taken"}`, async () => {
            const { sim, host, inputs, made } = fixture;
            for (const [j, lost] of LOST.entries()) {
                const props = t.props(lost.kind, i * 10 + j);
                const news = await inputs(t.type, props);
                // a twin made by hand beforehand (a type with a natural key cannot have one), in the server's form
                const twin = t.naturalKey ? undefined : await made(t.type, news.properties as PlainObject);
                sim.resetCounters();
                lost.inject(sim, `${t.type}/set`);
                const created = await host.create(news);
                await new Promise((r) => setTimeout(r, lost.settleMs));
                const mine = Object.entries(sim.stored(t.type))
                    .filter(([, o]) => t.mine(lost.kind, o))
                    .map(([id]) => id);
                expect(mine.sort(), `${lost.kind}: the twin from before and exactly one new object`).toEqual(
                    [...(twin ? [twin] : []), created.id].sort(),
                );
                expect(created.id, lost.kind).not.toBe(twin);
                expect(created.properties, lost.kind).toMatchObject({ objectId: created.id, adopted: false });
                const creates = sim.jmapLog
                    .flatMap((b) => b.methodCalls)
                    .filter((c) => c[0] === `${t.type}/set` && c[1].create);
                // without a natural key the create is never sent twice; with one, a re-sent create meets its own first attempt
                expect(creates.length, lost.kind).toBe(t.naturalKey ? 2 : 1);
                expect(await host.diff(created.id, created.properties, news), lost.kind).toMatchObject({
                    changes: "none",
                });
            }
        });
    }
});
