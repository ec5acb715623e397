/** A minimal JMAP client for tests that talk to the simulator over HTTP with fetch. */
import type { StalwartSimulator } from "./index";
import type { Json, JsonObject } from "./tableView";

export const USING = ["urn:ietf:params:jmap:core", "urn:stalwart:jmap"];

export type MethodCall = [string, JsonObject, string];

/** POSTs one request; returns the methodResponses (throws on a non-200 answer). */
export async function jmap(
    sim: StalwartSimulator,
    calls: MethodCall[],
    extra: JsonObject = {},
): Promise<[string, any, string][]> {
    const res = await fetch(`${sim.url}/jmap`, {
        method: "POST",
        headers: { authorization: sim.basicAuthHeader, "content-type": "application/json" },
        body: JSON.stringify({ using: USING, methodCalls: calls, ...extra }),
    });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as { methodResponses: [string, any, string][] };
    return body.methodResponses;
}

/** One call; returns its arguments (or the error object for ["error", …]). */
export async function call(sim: StalwartSimulator, name: string, args: JsonObject): Promise<any> {
    const [response] = await jmap(sim, [[name, args, "c"]]);
    return response![1];
}

export const create = (sim: StalwartSimulator, type: string, value: Json) =>
    call(sim, `${type}/set`, { create: { n: value } });
export const update = (sim: StalwartSimulator, type: string, id: string, patch: Json) =>
    call(sim, `${type}/set`, { update: { [id]: patch } });
export const destroy = (sim: StalwartSimulator, type: string, id: string) =>
    call(sim, `${type}/set`, { destroy: [id] });
export const getOne = async (sim: StalwartSimulator, type: string, id: string) =>
    (await call(sim, `${type}/get`, { ids: [id] })).list[0];

/** Creates and returns the new id, failing loudly when the server refused. */
export async function createId(sim: StalwartSimulator, type: string, value: Json): Promise<string> {
    const r = await create(sim, type, value);
    if (!r.created?.n) throw new Error(`create ${type} failed: ${JSON.stringify(r.notCreated ?? r)}`);
    return r.created.n.id as string;
}
