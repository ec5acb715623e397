// How the x:* provider reads /set results, adopts, and survives a failed read-back, through the SDK's
// dynamic-provider host over gRPC against the simulator (and, for answers the simulator never gives,
// a scripted JMAP server). docs/stalwart-facts.md#set-semantics, #set-errors, #domain-dkim, #accounts, #api-keys.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MethodCall } from "../../components/stalwart/jmap";
import { type PlainObject, ProviderHost } from "../support/providerHost";
import type { StalwartSimulator } from "../support/stalwart";
import { NO_STALWART_ENV, useStalwartProviderHost } from "../support/stalwartProviderHost";

const fixture = useStalwartProviderHost();
const noEnv = NO_STALWART_ENV;
let sim: StalwartSimulator;
let host: ProviderHost;
const manual = { "@type": "Manual" };

beforeAll(() => {
    ({ sim, host } = fixture);
});

const { inputs, create, made, setCalls } = fixture;

describe("/set result maps (finding 1)", () => {
    it("a failed update is reported when every result map is sent, empty ones included", async () => {
        const a = await create("x:Domain", { name: "maps-a.test", dkimManagement: manual });
        const b = await create("x:Domain", { name: "maps-b.test", dkimManagement: manual });
        const clash = await inputs("x:Domain", {
            name: "maps-b.test",
            dkimManagement: manual,
            aliases: ["maps-a.test"],
        });
        sim.faults.setResultMaps = "empty";
        try {
            await expect(host.update(b.id, b.outs, clash)).rejects.toThrow(
                new RegExp(
                    `x:Domain "maps-b.test" \\(id "${b.id}"\\): update failed with primaryKeyViolation on property aliases.*x:Domain id "${a.id}"`,
                ),
            );
            expect(sim.stored("x:Domain", b.id)?.aliases).toEqual({});
        } finally {
            sim.faults.setResultMaps = "omit";
        }
    });

    it("create, update and delete work when empty maps come as {} or as null", async () => {
        for (const mode of ["empty", "null"] as const) {
            sim.faults.setResultMaps = mode;
            try {
                const c = await create("x:Domain", { name: `maps-${mode}.test`, dkimManagement: manual });
                const next = await inputs("x:Domain", {
                    name: `maps-${mode}.test`,
                    dkimManagement: manual,
                    description: mode,
                });
                const u = await host.update(c.id, c.outs, next);
                expect(sim.stored("x:Domain", c.id)?.description).toBe(mode);
                await host.delete(c.id, u.properties);
                expect(sim.stored("x:Domain", c.id)).toBeUndefined();
                await host.delete(c.id, u.properties); // already gone: notDestroyed notFound is success
            } finally {
                sim.faults.setResultMaps = "omit";
            }
        }
    });
});

describe("adopt only the object the inputs name (finding 2)", () => {
    it("x:Domain b.test that is an alias of a.test: refused, a.test untouched", async () => {
        const aId = await made("x:Domain", {
            name: "alias-owner.test",
            aliases: { "alias-taken.test": true },
            description: "by hand",
            dkimManagement: manual,
        });
        const news = await inputs("x:Domain", {
            name: "alias-taken.test",
            description: "managed",
            dkimManagement: manual,
        });
        sim.resetCounters();
        await expect(host.create(news)).rejects.toThrow(
            new RegExp(
                `x:Domain "alias-taken.test": create failed with primaryKeyViolation on property name.*x:Domain id "${aId}" is x:Domain "alias-owner.test"; not adopted`,
            ),
        );
        expect(setCalls()).toHaveLength(1); // the create only: no update was sent
        expect(sim.stored("x:Domain", aId)).toMatchObject({
            name: "alias-owner.test",
            aliases: { "alias-taken.test": true },
            description: "by hand",
        });
    });

    it("x:Account whose address is a mailing list's: refused, the list untouched", async () => {
        const d = await made("x:Domain", { name: "lists.test", dkimManagement: manual });
        const list = await made("x:MailingList", { name: "team", domainId: d, recipients: { "a@lists.test": true } });
        const news = await inputs("x:Account", { "@type": "User", name: "Team", domainId: d, description: "a user" });
        await expect(host.create(news)).rejects.toThrow(
            new RegExp(
                `x:Account name="team" domainId="${d}": create failed with primaryKeyViolation.*x:MailingList id "${list}" is another kind of object; not adopted`,
            ),
        );
        expect(sim.stored("x:MailingList", list)).toMatchObject({ name: "team", recipients: { "a@lists.test": true } });
        expect(Object.values(sim.stored("x:Account")).filter((a) => a.name === "team")).toEqual([]);
    });

    it("x:Account whose alias is another account's address: refused (the clash is not on the natural key)", async () => {
        const d = await made("x:Domain", { name: "aliases.test", dkimManagement: manual });
        const alice = await made("x:Account", { "@type": "User", name: "alice", domainId: d, description: "alice" });
        const news = await inputs("x:Account", {
            "@type": "User",
            name: "bob",
            domainId: d,
            aliases: [{ name: "alice", domainId: d }],
        });
        await expect(host.create(news)).rejects.toThrow(
            new RegExp(
                `primaryKeyViolation on property aliases.*x:Account id "${alice}" clashes on aliases, not on the natural key; not adopted`,
            ),
        );
        expect(sim.stored("x:Account", alice)).toMatchObject({ name: "alice", description: "alice" });
    });

    it("the same natural key in another case is adopted", async () => {
        const id = await made("x:Domain", { name: "case.test", dkimManagement: manual });
        const c = await create("x:Domain", { name: "CASE.test", dkimManagement: manual, description: "managed" });
        expect(c.id).toBe(id);
        expect(c.outs.adopted).toBe(true);
    });
});

describe("the adopt patch (finding 3)", () => {
    it("x:Account: only changed paths, the password per field, never the whole credentials list or ****", async () => {
        const d = await made("x:Domain", { name: "adopt-account.test", dkimManagement: manual });
        const existing = await made("x:Account", {
            "@type": "User",
            name: "carol",
            domainId: d,
            description: "by hand",
            locale: "de_DE",
            credentials: { "0": { "@type": "Password", secret: "old-password-1", allowedIps: { "10.0.0.0/8": true } } },
        });
        const before = sim.stored("x:Account", existing)!;
        const c = await create("x:Account", {
            "@type": "User",
            name: "carol",
            domainId: d,
            description: "managed",
            credentials: [{ "@type": "Password", secret: "new-password-2" }],
        });
        expect(c.id).toBe(existing);
        expect(c.outs).toMatchObject({ adopted: true, changedProperties: ["credentials", "description"] });
        expect(c.requests).toBe(2); // the look-up by natural key (query + get), then update+get
        const updates = setCalls().filter((call) => call[1].update);
        expect(updates).toHaveLength(1);
        expect(updates[0]![1].update).toEqual({
            [existing]: { "credentials/0/secret": "new-password-2", description: "managed" },
        });
        expect(JSON.stringify(sim.jmapLog)).not.toContain('"****"');
        const after = sim.stored("x:Account", existing)!;
        expect(after).toMatchObject({ description: "managed", locale: "de_DE", createdAt: before.createdAt });
        expect(after.credentials).toEqual({
            "0": { ...(before.credentials as Record<string, object>)["0"], secret: "new-password-2" },
        });
        expect(JSON.stringify(c.outs)).not.toContain("new-password-2");
        // The adopted state diffs clean: the secret hash matches what was written.
        expect(await host.diff(c.id, c.outs, c.news)).toMatchObject({ changes: "none" });
    });

    it("an existing object that already matches is adopted without any write", async () => {
        const id = await made("x:Domain", { name: "same.test", description: "same", dkimManagement: manual });
        const c = await create("x:Domain", { name: "same.test", description: "same", dkimManagement: manual });
        expect(c.id).toBe(id);
        expect(c.outs).toMatchObject({ adopted: true, changedProperties: [] });
        expect(setCalls().filter((call) => call[1].update)).toEqual([]);
    });

    it("an adopted object remembers what it had: a property it stops managing goes back to it, and delete gives every one back", async () => {
        const id = await made("x:Domain", { name: "giveback.test", description: "by hand", dkimManagement: manual });
        const c = await create("x:Domain", {
            name: "giveback.test",
            description: "managed",
            catchAllAddress: "all@giveback.test",
            dkimManagement: manual,
        });
        expect(c.id).toBe(id);
        expect(c.outs).toMatchObject({ adopted: true, restore: { description: "by hand", catchAllAddress: null } });
        const fewer = await inputs("x:Domain", {
            name: "giveback.test",
            catchAllAddress: "all@giveback.test",
            dkimManagement: manual,
        });
        const u = await host.update(id, c.outs, fewer);
        expect(sim.stored("x:Domain", id)).toMatchObject({
            description: "by hand",
            catchAllAddress: "all@giveback.test",
        });
        sim.resetCounters();
        await host.delete(id, u.properties);
        expect(sim.stored("x:Domain", id), "never destroyed").toMatchObject({
            description: "by hand",
            catchAllAddress: null,
        });
        expect(setCalls().map((call) => call[1])).toEqual([{ update: { [id]: { catchAllAddress: null } } }]);
    });

    it("an existing object of another @type is not adopted (it cannot change in place)", async () => {
        const d = await made("x:Domain", { name: "group.test", dkimManagement: manual });
        const group = await made("x:Account", { "@type": "Group", name: "staff", domainId: d });
        const news = await inputs("x:Account", { "@type": "User", name: "staff", domainId: d });
        await expect(host.create(news)).rejects.toThrow(/cannot adopt, @type differ\(s\) and cannot change in place/);
        expect(sim.stored("x:Account", group)?.["@type"]).toBe("Group");
    });
});

describe("read-back after a create (finding 4)", () => {
    it("a failed #c0 /get falls back to a /get by id", async () => {
        // x:Role has no natural key: the look-up before the create is a /query, so the /get that fails is the read-back
        sim.faults.failMethod("x:Role/get", 1);
        const c = await create("x:Role", { description: "read back by id" });
        expect(c.requests).toBe(3); // the ids that exist, create + failed read-back, the /get by id
        expect(c.outs).toMatchObject({
            objectId: c.id,
            adopted: false,
            properties: { description: "read back by id", enabledPermissions: {} },
        });
        expect(sim.stored("x:Role", c.id)).toBeDefined();
    });

    it("when both reads fail the id is still returned with what was written; a refresh fills in the rest", async () => {
        sim.faults.failMethod("x:DnsServer/get", 2);
        const dns = {
            "@type": "Cloudflare",
            description: "readback",
            secret: { "@type": "Value", secret: "s3cret-value" },
        };
        const c = await create("x:DnsServer", dns);
        expect(c.requests).toBe(3);
        expect(sim.stored("x:DnsServer", c.id)).toBeDefined();
        expect(c.outs.properties).toEqual({ ...dns, secret: { "@type": "Value", secret: "****" } });
        expect(JSON.stringify(c.outs)).not.toContain("s3cret-value");
        expect(await host.diff(c.id, c.outs, c.news)).toMatchObject({ changes: "none" });
        const read = await host.read(c.id, c.outs);
        expect(read.id).toBe(c.id);
        expect(read.properties.properties).toMatchObject({ description: "readback", ttl: expect.any(Number) });
    });
});

describe("writes that may have been applied (finding 5)", () => {
    it("a server's 5xx is re-sent for every request, a create without a natural key included: the server did not process it", async () => {
        const news = await inputs("x:Tracer", { "@type": "Log", path: "/var/log/after-500", level: "info" });
        sim.resetCounters();
        sim.faults.failNext(1, 500, "x:Tracer/set");
        const created = await host.create(news);
        expect(sim.counters.requests).toBe(3); // the ids that exist, the refused create, the create
        expect(Object.values(sim.stored("x:Tracer")).filter((t) => t.path === "/var/log/after-500")).toHaveLength(1);
        expect(sim.stored("x:Tracer", created.id)).toMatchObject({ path: "/var/log/after-500" });
    });

    it("a gateway's 502 on a create without a natural key: it looks for what it may have made, then creates once", async () => {
        const news = await inputs("x:Tracer", { "@type": "Log", path: "/var/log/after-502", level: "info" });
        sim.resetCounters();
        sim.faults.failNext(1, 502, "x:Tracer/set");
        const created = await host.create(news);
        // the ids that exist, the refused create (the fault answers before the log), the search, the one create
        expect(sim.counters.requests).toBe(4);
        expect(sim.jmapLog.map((b) => b.methodCalls[0]![0])).toEqual([
            "x:Tracer/query",
            "x:Tracer/query",
            "x:Tracer/set",
        ]);
        expect(Object.values(sim.stored("x:Tracer")).filter((t) => t.path === "/var/log/after-502")).toHaveLength(1);
        expect(sim.stored("x:Tracer", created.id)).toMatchObject({ path: "/var/log/after-502" });
    });

    it("a create without a natural key whose connection dropped after the commit takes the object it made: no duplicate", async () => {
        const news = await inputs("x:Tracer", { "@type": "Log", path: "/var/log/dropped", level: "warn" });
        sim.resetCounters();
        sim.faults.dropAfterCommit(1, "x:Tracer/set");
        const created = await host.create(news);
        const all = Object.entries(sim.stored("x:Tracer")).filter(([, t]) => t.path === "/var/log/dropped");
        expect(all.map(([id]) => id)).toEqual([created.id]);
        expect(setCalls()).toHaveLength(1); // the dropped create only
        // the ids before, the dropped create, then the newest objects (query + get by result reference) once
        expect(sim.jmapLog.map((b) => b.methodCalls.map((c) => c[0]))).toEqual([
            ["x:Tracer/query"],
            ["x:Tracer/set", "x:Tracer/get"],
            ["x:Tracer/query", "x:Tracer/get"],
        ]);
        expect(sim.jmapLog[2]!.methodCalls[1]![1]).toMatchObject({ "#ids": { resultOf: "q", path: "/ids" } });
        expect(created.properties).toMatchObject({
            objectId: created.id,
            properties: { "@type": "Log", path: "/var/log/dropped", level: "warn" },
        });
        expect(await host.diff(created.id, created.properties, news)).toMatchObject({ changes: "none" });
    });

    it("dropped before it was processed: nothing matches, so the create is sent again", async () => {
        const news = await inputs("x:Role", { description: "dropped before commit" });
        sim.resetCounters();
        sim.faults.dropNext(1, "x:Role/set");
        const created = await host.create(news);
        expect(
            Object.values(sim.stored("x:Role")).filter((r) => r.description === "dropped before commit"),
        ).toHaveLength(1);
        expect(sim.stored("x:Role", created.id)).toMatchObject({ description: "dropped before commit" });
        expect(sim.jmapLog.map((b) => b.methodCalls[0]![0])).toEqual(["x:Role/query", "x:Role/query", "x:Role/set"]);
    });

    it("an identical object that existed before is never taken for the one a lost create made", async () => {
        const twin = { "@type": "Log", path: "/var/log/twins", level: "error" };
        const before = [await made("x:Tracer", twin), await made("x:Tracer", twin)];
        const news = await inputs("x:Tracer", twin);
        sim.faults.dropAfterCommit(1, "x:Tracer/set");
        const created = await host.create(news);
        expect(before).not.toContain(created.id);
        const all = Object.entries(sim.stored("x:Tracer"))
            .filter(([, t]) => t.path === "/var/log/twins")
            .map(([id]) => id);
        expect(all.sort()).toEqual([...before, created.id].sort());
        expect(created.properties.adopted).toBe(false);
    });

    it("a natural-key create re-sent after a 502 that followed its commit takes its own object back, even with adopt false", async () => {
        const news = await inputs("x:Domain", { name: "after-502.test", dkimManagement: manual }, { adopt: false });
        sim.faults.failAfterCommit(1, 502);
        const created = await host.create(news);
        const all = Object.entries(sim.stored("x:Domain")).filter(([, d]) => d.name === "after-502.test");
        expect(all.map(([id]) => id)).toEqual([created.id]);
    });

    it("429 is re-sent even for a create without a natural key", async () => {
        const news = await inputs("x:Tracer", { "@type": "Stdout", level: "warn" });
        sim.resetCounters();
        sim.faults.failNext(1, 429, "x:Tracer/set");
        const created = await host.create(news);
        expect(sim.counters.requests).toBe(3);
        expect(sim.stored("x:Tracer", created.id)).toMatchObject({ level: "warn" });
    });
});

describe("account-scoped objects carry accountId (finding 6)", () => {
    it("x:ApiKey and x:AccountSettings: every call names the account; create, read, update, delete work", async () => {
        const d = await made("x:Domain", { name: "scoped.test", dkimManagement: manual });
        const dave = await made("x:Account", { "@type": "User", name: "dave", domainId: d });
        const erin = await made("x:Account", { "@type": "User", name: "erin", domainId: d });

        const key = await create("x:ApiKey", { description: "deploy key" }, { accountId: dave });
        expect(key.outs).toMatchObject({ accountId: dave, createdSecret: expect.stringMatching(/^API_/) });
        const calls = () => sim.jmapLog.flatMap((b) => b.methodCalls);
        expect(calls().map((c) => c[1].accountId)).toEqual([dave, dave, dave]); // the ids that exist, create, read-back
        sim.resetCounters();
        const read = await host.read(key.id, key.outs);
        expect(read.id).toBe(key.id);
        expect(read.properties.properties).toMatchObject({ description: "deploy key", secret: "****" });
        const renamed = await inputs("x:ApiKey", { description: "deploy key 2" }, { accountId: dave });
        const updated = await host.update(key.id, read.properties, renamed);
        expect(sim.stored("x:ApiKey", key.id)?.description).toBe("deploy key 2");
        await host.delete(key.id, updated.properties);
        expect(sim.stored("x:ApiKey", key.id)).toBeUndefined();
        expect(calls().every((c) => c[1].accountId === dave)).toBe(true);

        const settings = await create("x:AccountSettings", { locale: "fr_FR" }, { accountId: erin });
        expect(settings.id).toBe("singleton");
        expect(sim.stored("x:AccountSettings", erin)).toMatchObject({ locale: "fr_FR" });
        expect(sim.stored("x:AccountSettings", dave)).toBeUndefined();
        const again = await host.read("singleton", settings.outs);
        expect(again.properties.properties).toMatchObject({ locale: "fr_FR" });

        // The recovery admin has no account of its own: without accountId there is nothing to write.
        const mine = await inputs("x:AccountSettings", { locale: "fr_FR" });
        await expect(host.create(mine)).rejects.toThrow(/x:AccountSettings: update failed with notFound/);
    });

    it("moving an object to another account replaces it; state that knew the account only from the server's view does not", async () => {
        const olds = {
            objectType: "x:PublicKey",
            objectId: "k1",
            properties: { accountId: "acc1", description: "signing" },
            managed: { description: "signing" },
            secretHashes: {},
            salt: "s",
            providerVersion: "v",
        };
        const same = await host.diff("k1", olds, {
            objectType: "x:PublicKey",
            accountId: "acc1",
            properties: { description: "signing" },
            providerVersion: "v",
            __provider: await fixture.provider("x:PublicKey"),
        });
        expect(same.replaces).toEqual([]);
        const moved = await host.diff(
            "k1",
            { ...olds, accountId: "acc1" },
            {
                objectType: "x:PublicKey",
                accountId: "acc2",
                properties: { description: "signing" },
                providerVersion: "v",
                __provider: await fixture.provider("x:PublicKey"),
            },
        );
        expect(moved.replaces).toEqual(["accountId"]);
    });
});

describe("answers the simulator never gives (scripted server)", () => {
    let server: Server;
    let other: ProviderHost;
    /** the scripted answer; null drops the connection without one */
    let answer: (calls: MethodCall[]) => MethodCall[] | null = () => [];
    const seen: MethodCall[][] = [];
    beforeAll(async () => {
        server = createServer((req, res) => {
            let body = "";
            req.on("data", (c) => (body += c));
            req.on("end", () => {
                const calls = JSON.parse(body).methodCalls as MethodCall[];
                seen.push(calls);
                const responses = answer(calls);
                if (responses === null) return req.socket.destroy();
                res.writeHead(200, { "content-type": "application/json" });
                res.end(JSON.stringify({ methodResponses: responses, sessionState: "0" }));
            });
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        other = await ProviderHost.start({
            config: { "stalwart:url": url, "stalwart:token": "API_scripted" },
            env: noEnv,
        });
    });
    afterAll(async () => {
        await other?.stop();
        await new Promise((r) => server?.close(r));
    });
    const domain = (id: string, name: string, extra: PlainObject = {}) => ({
        id,
        name,
        aliases: {},
        description: null,
        isEnabled: true,
        dkimManagement: manual,
        createdAt: "2026-01-01T00:00:00Z",
        ...extra,
    });

    it("an update or destroy the response neither confirms nor refuses is an error", async () => {
        const news = await inputs(
            "x:Domain",
            { name: "quiet.test", dkimManagement: manual, description: "x" },
            {},
            other,
        );
        const olds = {
            ...news,
            objectId: "b",
            properties: domain("b", "quiet.test"),
            managed: { name: "quiet.test", dkimManagement: manual },
            secretHashes: {},
            salt: "s",
        };
        answer = (calls) =>
            calls.map(([n, , id]) => [
                n,
                n.endsWith("/set")
                    ? { notCreated: {}, updated: {}, notUpdated: {} }
                    : { list: [domain("b", "quiet.test")] },
                id,
            ]);
        await expect(other.update("b", olds, news)).rejects.toThrow(
            /x:Domain "quiet.test" \(id "b"\): x:Domain\/set did not confirm the update; re-run to reconcile/,
        );
        answer = (calls) => calls.map(([n, , id]) => [n, { destroyed: [], notDestroyed: null }, id]);
        await expect(other.delete("b", olds)).rejects.toThrow(/did not confirm the destroy/);
        answer = (calls) => calls.map(([n, , id]) => [n, { destroyed: ["b"], notCreated: {} }, id]);
        await other.delete("b", olds);
    });

    it("objectId.object may carry the x: prefix; a clash on another type is never adopted", async () => {
        const news = await inputs(
            "x:Domain",
            { name: "prefixed.test", dkimManagement: manual, description: "managed" },
            {},
            other,
        );
        // the look-up finds nothing (the object appears between it and the create: a race), then the create clashes
        const clash = (object: string) => (calls: MethodCall[]) =>
            calls.map(([n, args, id]): MethodCall => {
                if (n === "x:Domain/query") return [n, { ids: [] }, id];
                if (n === "x:Domain/get" && "#ids" in args) return [n, { list: [], notFound: [] }, id];
                if (n === "x:Domain/set" && args.create)
                    return [
                        n,
                        {
                            created: {},
                            notCreated: {
                                c0: {
                                    type: "primaryKeyViolation",
                                    properties: ["name"],
                                    objectId: { object, id: "k" },
                                },
                            },
                        },
                        id,
                    ];
                if (n === "x:Domain/get" && (args.ids as string[])[0] === "#c0")
                    return ["error", { type: "invalidResultReference" }, id];
                if (n === "x:Domain/get")
                    return [
                        n,
                        {
                            list: [domain("k", "prefixed.test", { description: seen.length > 3 ? "managed" : "old" })],
                            notFound: [],
                        },
                        id,
                    ];
                return [n, { updated: { k: null }, notUpdated: {} }, id];
            });
        seen.length = 0;
        answer = clash("x:Domain");
        const adopted = await other.create(news);
        expect(adopted.id).toBe("k");
        expect(adopted.properties).toMatchObject({
            adopted: true,
            restore: { name: "prefixed.test", description: "old", dkimManagement: manual },
        });
        expect(seen.map((calls) => calls.map((c) => c[0]))).toEqual([
            ["x:Domain/query", "x:Domain/get"],
            ["x:Domain/set", "x:Domain/get"],
            ["x:Domain/get"],
            ["x:Domain/set", "x:Domain/get"],
        ]);
        expect(seen[3]![0]![1]).toEqual({ update: { k: { description: "managed" } } });

        seen.length = 0;
        answer = clash("x:Tracer");
        await expect(other.create(news)).rejects.toThrow(/x:Tracer id "k" is another kind of object; not adopted/);
        expect(seen).toHaveLength(2);
    });
    it("two new objects matching a create whose answer was lost: an error names both, nothing is taken", async () => {
        const tracer = { "@type": "Stdout", level: "warn" };
        const news = await inputs("x:Tracer", tracer, {}, other);
        let queries = 0;
        answer = (calls) => {
            if (calls[0]![0] === "x:Tracer/set") return null; // applied, then the connection broke
            const ids = queries++ === 0 ? ["old"] : ["n2", "n1", "old"];
            return calls.map(
                ([n, , id]): MethodCall => [
                    n,
                    n.endsWith("/query")
                        ? { ids }
                        : { list: ids.map((i) => ({ id: i, ...tracer, enable: true })), notFound: [] },
                    id,
                ],
            );
        };
        seen.length = 0;
        await expect(other.create(news)).rejects.toThrow(
            /x:Tracer: objects n2, n1 appeared with these properties after a lost answer .*import one of them and delete the others/,
        );
        expect(seen.map((calls) => calls.map((c) => c[0]))).toEqual([
            ["x:Tracer/query"],
            ["x:Tracer/set", "x:Tracer/get"],
            ["x:Tracer/query", "x:Tracer/get"],
        ]);
    });
});
