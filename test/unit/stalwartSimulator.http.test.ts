/**
 * The Stalwart simulator's HTTP surface (docs/stalwart-facts.md#transport, #health, #reload-restart, #schema-endpoint): authentication, request
 * errors as problem+json, session, schema download, health, discovery, faults and counters.
 */
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, jmap, USING } from "../support/stalwart/client";
import { type StalwartSimulator, startStalwartSimulator } from "../support/stalwart/index";

let sim: StalwartSimulator;
beforeAll(async () => {
    sim = await startStalwartSimulator({
        recoveryAdmin: "admin:s3cret-pw",
        schemaDocument: { objects: { "x:Domain": {} } },
        schemaHash: "hash-token_1",
    });
});
afterAll(() => sim.close());

const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${sim.url}/jmap`, {
        method: "POST",
        headers: { authorization: sim.basicAuthHeader, "content-type": "application/json", ...headers },
        body,
    });
const echo = JSON.stringify({ using: USING, methodCalls: [["Core/echo", { hello: 1 }, "e"]] });

describe("authentication", () => {
    it("accepts the recovery admin over Basic (user name case-insensitive)", async () => {
        expect(sim.adminCredentials).toBe("admin:s3cret-pw");
        const res = await post(echo, { authorization: `Basic ${Buffer.from("ADMIN:s3cret-pw").toString("base64")}` });
        expect(res.status).toBe(200);
        expect((await res.json()).methodResponses).toEqual([["Core/echo", { hello: 1 }, "e"]]);
    });

    it("accepts the configured API_ key over Bearer", async () => {
        expect(sim.apiKey).toMatch(/^API_[A-Za-z0-9_-]+$/);
        expect((await post(echo, { authorization: `Bearer ${sim.apiKey}` })).status).toBe(200);
    });

    it.each([
        ["a wrong password", `Basic ${Buffer.from("admin:nope").toString("base64")}`],
        ["an unknown bearer", "Bearer API_bogus"],
        ["a non-API bearer", "Bearer eyJhbGciOi.jwt"],
        ["another scheme", "Digest abc"],
    ])("answers 401 problem+json for %s", async (_, authorization) => {
        const res = await post(echo, { authorization });
        expect(res.status).toBe(401);
        expect(res.headers.get("content-type")).toBe("application/problem+json");
        expect(await res.json()).toMatchObject({ status: 401 });
    });

    it("answers 401 without any Authorization header", async () => {
        const res = await fetch(`${sim.url}/jmap`, { method: "POST", body: echo });
        expect(res.status).toBe(401);
    });
});

describe("request errors", () => {
    it("unknown URN in using → unknownCapability", async () => {
        const res = await post(JSON.stringify({ using: [...USING, "urn:example:nope"], methodCalls: [] }));
        expect(res.status).toBe(400);
        expect(await res.json()).toMatchObject({ type: "urn:ietf:params:jmap:error:unknownCapability" });
    });

    it("wrong content type or unparsable body → notJSON", async () => {
        const wrongType = await post(echo, { "content-type": "text/plain" });
        expect(wrongType.status).toBe(400);
        expect(await wrongType.json()).toMatchObject({ type: "urn:ietf:params:jmap:error:notJSON" });
        const broken = await post("{not json");
        expect(await broken.json()).toMatchObject({ type: "urn:ietf:params:jmap:error:notJSON" });
    });

    it("a body without using/methodCalls → notRequest; more than 16 calls → limit", async () => {
        expect(await (await post(JSON.stringify({ calls: [] }))).json()).toMatchObject({
            type: "urn:ietf:params:jmap:error:notRequest",
        });
        const many = Array.from({ length: 17 }, (_, i) => ["Core/echo", {}, `c${i}`]);
        const res = await post(JSON.stringify({ using: USING, methodCalls: many }));
        expect(await res.json()).toMatchObject({
            type: "urn:ietf:params:jmap:error:limit",
            limit: "maxCallsInRequest",
        });
    });

    it("the urn:stalwart:jmap capability is not required for x:* methods", async () => {
        const res = await post(
            JSON.stringify({
                using: ["urn:ietf:params:jmap:core"],
                methodCalls: [["x:Domain/get", { ids: null }, "g"]],
            }),
        );
        expect((await res.json()).methodResponses[0][0]).toBe("x:Domain/get");
    });

    it("unknown methods, /changes and /query on a singleton → unknownMethod", async () => {
        const responses = await jmap(sim, [
            ["x:Domain/changes", { sinceState: "n" }, "a"],
            ["x:NoSuchThing/get", { ids: null }, "b"],
            ["x:SystemSettings/query", {}, "c"],
            ["Mailbox/get", {}, "d"],
        ]);
        expect(responses.map(([n, a]) => [n, a.type])).toEqual([
            ["error", "unknownMethod"],
            ["error", "unknownMethod"],
            ["error", "unknownMethod"],
            ["error", "unknownMethod"],
        ]);
    });

    it("accountId may be omitted or null; the response names the caller's account", async () => {
        const omitted = await call(sim, "x:Domain/get", { ids: null });
        const nulled = await call(sim, "x:Domain/get", { accountId: null, ids: null });
        expect(omitted.accountId).toBe(nulled.accountId);
        expect(omitted.accountId).toBe("d333333"); // u32::MAX, the recovery admin
    });
});

describe("session, schema, health, discovery", () => {
    it("GET /jmap/session: capabilities-only without credentials, accounts with them, apiUrl /jmap/", async () => {
        const anon = await (await fetch(`${sim.url}/jmap/session`)).json();
        expect(anon.accounts).toEqual({});
        expect(anon.capabilities).toHaveProperty(["urn:stalwart:jmap"]);
        const authed = await (
            await fetch(`${sim.url}/jmap/session`, { headers: { authorization: sim.basicAuthHeader } })
        ).json();
        expect(Object.keys(authed.accounts)).toEqual(["d333333"]);
        expect(authed.apiUrl).toBe("/jmap/");
        expect(authed.capabilities["urn:ietf:params:jmap:core"].maxCallsInRequest).toBe(16);
    });

    it("GET /api/schema: auth required, 302 to /api/schema/<hash>, then gzip JSON", async () => {
        expect((await fetch(`${sim.url}/api/schema`, { redirect: "manual" })).status).toBe(401);
        const redirect = await fetch(`${sim.url}/api/schema`, {
            redirect: "manual",
            headers: { authorization: sim.basicAuthHeader },
        });
        expect(redirect.status).toBe(302);
        expect(redirect.headers.get("location")).toBe("/api/schema/hash-token_1");
        const wrong = await fetch(`${sim.url}/api/schema/other`, {
            redirect: "manual",
            headers: { authorization: sim.basicAuthHeader },
        });
        expect(wrong.status).toBe(302);
        const raw = await fetch(`${sim.url}/api/schema/hash-token_1`, {
            headers: { authorization: sim.basicAuthHeader, "accept-encoding": "identity" },
        });
        expect(raw.headers.get("content-encoding")).toBe("gzip");
        const bytes = Buffer.from(await raw.arrayBuffer());
        // fetch may already have decoded the body; accept either form.
        const text = bytes[0] === 0x1f ? gunzipSync(bytes).toString() : bytes.toString();
        expect(JSON.parse(text)).toEqual({ objects: { "x:Domain": {} } });
    });

    it("GET /healthz/live and /healthz/ready answer 200 problem+json without auth", async () => {
        const live = await fetch(`${sim.url}/healthz/live`);
        expect(live.status).toBe(200);
        expect(await live.json()).toEqual({ type: "about:blank", title: "OK", status: 200, detail: "OK" });
        expect((await fetch(`${sim.url}/healthz/ready`)).status).toBe(200);
    });

    it("GET /api/discover/<address> without an OIDC default directory → Stalwart's own metadata (empty issuer)", async () => {
        const doc = await (await fetch(`${sim.url}/api/discover/alice@example.org`)).json();
        expect(doc.issuer).toBe("");
        expect(doc.token_endpoint).toBe(`${sim.url}/auth/token`);
    });

    it("GET /.well-known/jmap redirects to the session", async () => {
        const res = await fetch(`${sim.url}/.well-known/jmap`, { redirect: "manual" });
        expect(res.status).toBe(307);
        expect(res.headers.get("location")).toBe("/jmap/session");
    });
});

describe("faults and counters", () => {
    it("failNext answers the next n requests with the status, then recovers", async () => {
        sim.faults.failNext(2, 503);
        expect((await post(echo)).status).toBe(503);
        expect((await post(echo)).status).toBe(503);
        expect((await post(echo)).status).toBe(200);
    });

    it("dropNext destroys the connection without processing", async () => {
        sim.resetCounters();
        sim.faults.dropNext(1);
        await expect(
            post(
                JSON.stringify({
                    using: USING,
                    methodCalls: [["x:Domain/set", { create: { d: { name: "dropped.org" } } }, "s"]],
                }),
            ),
        ).rejects.toThrow();
        expect(sim.stored("x:Domain")).toEqual({});
        expect(sim.counters.jmapWrites).toBe(0);
    });

    it("dropAfterCommit processes the request, then drops it: a retried create duplicates", async () => {
        const body = JSON.stringify({
            using: USING,
            methodCalls: [["x:Role/set", { create: { r: { description: "ops" } } }, "s"]],
        });
        sim.faults.dropAfterCommit(1);
        await expect(post(body)).rejects.toThrow();
        expect(Object.values(sim.stored("x:Role")).map((r) => r.description)).toEqual(["ops"]);
        expect((await post(body)).status).toBe(200);
        expect(Object.keys(sim.stored("x:Role"))).toHaveLength(2);
    });

    it("latencyMs delays every answer", async () => {
        sim.faults.latencyMs = 150;
        const started = Date.now();
        await post(echo);
        sim.faults.latencyMs = 0;
        expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    });

    it("counts requests, JMAP requests, writes, method calls and calls per method", async () => {
        sim.resetCounters();
        await fetch(`${sim.url}/healthz/live`);
        await jmap(sim, [
            ["x:Domain/get", { ids: null }, "a"],
            ["x:Domain/set", {}, "b"],
            ["x:Domain/set", { update: { zzz: { description: "x" } } }, "c"],
        ]);
        expect(sim.counters).toEqual({
            requests: 2,
            jmapRequests: 1,
            jmapWrites: 1,
            methodCalls: 3,
            byMethod: { "x:Domain/get": 1, "x:Domain/set": 2 },
        });
    });
});
