// The life cycle of the x:* provider, driven exactly as `pulumi up` drives it: the provider serialized
// into `__provider`, run by the SDK's dynamic-provider host over gRPC, talking HTTP to a Stalwart. The
// same suite runs against a real Stalwart v0.16 (test/acceptance/stalwartObject.acceptance.test.ts) and
// against the in-repo simulator (test/provider/lifecycle.sim.test.ts), so the simulator is held to what
// the real server does.
//
// Every request the provider sends goes through a recording proxy, so the suite can count requests per
// operation and read every write body (a secret's mask must never be sent) on either server. What the
// server holds is checked with an independent JMAP client ("don't grade your own homework").
//
// Objects get unique names per run (`acc-<random>`, domains under `.test`); everything created is
// destroyed, and the singleton value changed is put back, in afterAll.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { TrackedObject } from "../../components/stalwart/convergence/changes";
import { CONTENT_KEY, volatileProperties } from "../../components/stalwart/settings";
import {
    authorizationOf,
    CONVERGENCE_TYPE,
    Driver,
    hostEnv,
    type Lifecycle,
    type LifecycleTarget,
    RecordingProxy,
    setCalls,
    waitReady,
} from "./lifecycleDriver";
import { type PlainObject, ProviderHost, ProviderHostError } from "./providerHost";

export { type LifecycleTarget, targetFromEnv } from "./lifecycleDriver";

/** Without the parts that the singleton test changes: what must stay as it was. */
const without = (o: Record<string, unknown> | undefined, key: string) =>
    Object.fromEntries(Object.entries(o ?? {}).filter(([k]) => k !== key));

/**
 * Registers the life-cycle tests in the current describe block. `target` is called in beforeAll,
 * after the test file's own beforeAll hooks (so a simulator may be started there).
 */
export function lifecycleSuite(target: () => LifecycleTarget): void {
    let d: Driver;
    let ctx: Lifecycle;

    beforeAll(async () => {
        const t = target();
        const authorization = authorizationOf(t.credentials);
        await waitReady(t, authorization, 45_000);
        const proxy = await RecordingProxy.start(t.url);
        const host = await ProviderHost.start({ env: hostEnv(proxy.url, t.credentials) });
        ctx = { host, proxy, target: t, suffix: randomBytes(4).toString("hex") };
        d = new Driver(ctx, authorization);
    });

    afterAll(async () => {
        await d?.cleanup();
        await ctx?.host.stop();
        await ctx?.proxy.close();
    });

    it("x:Domain: create (the look-up by name, then create + read-back), a no-op second apply, update, drift shown by read, delete — one request each after the create", async () => {
        const name = `dom-${ctx.suffix}.test`;
        const want = { name, dkimManagement: { "@type": "Manual" }, description: "tailwart acceptance v1" };
        let mark = ctx.proxy.mark();
        const v1 = await d.check("x:Domain", want);
        expect(ctx.proxy.since(mark), "check sends nothing").toHaveLength(0);
        const created = await d.create(v1);
        expect(
            ctx.proxy.since(mark).map((r) => r.calls.map((c) => c[0])),
            "create: the look-up by name, then create + read-back",
        ).toEqual([
            ["x:Domain/query", "x:Domain/get"],
            ["x:Domain/set", "x:Domain/get"],
        ]);
        const id = created.id;
        expect(id).not.toBe("");
        expect(created.outs.adopted).toBe(false);
        expect(await d.get("x:Domain", id)).toMatchObject({
            name,
            description: "tailwart acceptance v1",
            dkimManagement: { "@type": "Manual" },
        });

        // a second `up` with the same program: no change, no request
        mark = ctx.proxy.mark();
        const again = await d.check("x:Domain", want, {}, v1);
        expect((await d.diff(id, created.outs, again)).changes).toBe("none");
        expect(ctx.proxy.since(mark)).toHaveLength(0);

        // an update writes only what changed, in place
        const v2 = await d.check("x:Domain", { ...want, description: "tailwart acceptance v2" }, {}, v1);
        const change = await d.diff(id, created.outs, v2);
        expect(change.changes).toBe("some");
        expect(change.replaces).toEqual([]);
        mark = ctx.proxy.mark();
        const updated = await d.update(id, created.outs, v2);
        const sent = ctx.proxy.since(mark);
        expect(sent, "update is one request").toHaveLength(1);
        expect(setCalls(sent).map((c) => c[1].update)).toEqual([{ [id]: { description: "tailwart acceptance v2" } }]);
        expect(updated.outs.contentHash).not.toBe(created.outs.contentHash);
        expect((await d.get("x:Domain", id))?.description).toBe("tailwart acceptance v2");

        // someone edits the domain in the web UI: refresh shows it, the next diff wants it back
        await d.set("x:Domain", { update: { [id]: { description: "changed by hand" } } });
        mark = ctx.proxy.mark();
        const refreshed = await d.read(id, updated.outs, v2);
        expect(ctx.proxy.since(mark), "read is one request").toHaveLength(1);
        expect(refreshed.id).toBe(id);
        expect((refreshed.properties.properties as PlainObject).description).toBe("changed by hand");
        expect((refreshed.inputs?.properties as PlainObject | undefined)?.description).toBe("changed by hand");
        expect((await d.diff(id, refreshed.properties, v2)).changes).toBe("some");
        const healed = await d.update(id, refreshed.properties, v2);
        expect((await d.get("x:Domain", id))?.description).toBe("tailwart acceptance v2");

        mark = ctx.proxy.mark();
        await d.delete(id, healed.outs);
        expect(ctx.proxy.since(mark), "delete is one request").toHaveLength(1);
        expect(await d.get("x:Domain", id)).toBeUndefined();
        expect((await d.read(id, healed.outs)).id, "read of a deleted object reports it gone").toBe("");
    });

    it("x:Authentication (singleton): create reads, then updates only the given property, never creates; delete puts its value back", async () => {
        const before = await d.get("x:Authentication", "singleton");
        expect(before).toBeDefined();
        const original = before?.maxApiKeys;
        d.restores.push(async () => {
            if (typeof original === "number")
                await d.set("x:Authentication", { update: { singleton: { maxApiKeys: original } } });
        });
        const value = original === 37 ? 38 : 37;
        const v1 = await d.check("x:Authentication", { maxApiKeys: value });
        let mark = ctx.proxy.mark();
        const created = await d.create(v1);
        const sent = setCalls(ctx.proxy.since(mark));
        expect(ctx.proxy.since(mark)).toHaveLength(1);
        expect(sent.map((c) => c[1])).toEqual([{ update: { singleton: { maxApiKeys: value } } }]);
        expect(created.id).toBe("singleton");
        expect(created.outs.adopted).toBe(true);
        expect(created.outs.restore).toEqual({ maxApiKeys: original });
        expect(created.outs.changedProperties).toEqual(["maxApiKeys"]);
        const after = await d.get("x:Authentication", "singleton");
        expect(after?.maxApiKeys).toBe(value);
        expect(without(after, "maxApiKeys"), "every other setting is untouched").toEqual(without(before, "maxApiKeys"));

        expect(
            (await d.diff("singleton", created.outs, await d.check("x:Authentication", { maxApiKeys: value }, {}, v1)))
                .changes,
        ).toBe("none");
        const v2 = await d.check("x:Authentication", { maxApiKeys: value + 1 }, {}, v1);
        mark = ctx.proxy.mark();
        const updated = await d.update("singleton", created.outs, v2);
        expect(setCalls(ctx.proxy.since(mark)).map((c) => c[1])).toEqual([
            { update: { singleton: { maxApiKeys: value + 1 } } },
        ]);

        mark = ctx.proxy.mark();
        await d.delete("singleton", updated.outs);
        expect(
            setCalls(ctx.proxy.since(mark)).map((c) => c[1]),
            "deleting a singleton writes back what it was, never a destroy",
        ).toEqual([{ update: { singleton: { maxApiKeys: original } } }]);
        expect(await d.get("x:Authentication", "singleton")).toEqual(before);
    });

    it("x:Tracer (variant): a property updates in place, a changed @type replaces (create first, then delete)", async () => {
        const stdout = { "@type": "Stdout", level: "info", enable: false };
        const v1 = await d.check("x:Tracer", stdout);
        const created = await d.create(v1);
        expect(await d.get("x:Tracer", created.id)).toMatchObject({ "@type": "Stdout", level: "info", enable: false });

        const louder = await d.check("x:Tracer", { ...stdout, level: "debug" }, {}, v1);
        const inPlace = await d.diff(created.id, created.outs, louder);
        expect(inPlace).toMatchObject({ changes: "some", replaces: [] });
        const updated = await d.update(created.id, created.outs, louder);
        expect(await d.get("x:Tracer", created.id)).toMatchObject({ "@type": "Stdout", level: "debug" });

        const log = await d.check(
            "x:Tracer",
            { "@type": "Log", path: "/var/lib/stalwart", prefix: `acc-${ctx.suffix}`, level: "info", enable: false },
            {},
            louder,
        );
        const replace = await d.diff(created.id, updated.outs, log);
        expect(replace).toMatchObject({ changes: "some", replaces: ["properties"], deleteBeforeReplace: false });
        const replacement = await d.create(log);
        expect(replacement.id).not.toBe(created.id);
        await d.delete(created.id, updated.outs);
        expect(await d.get("x:Tracer", created.id)).toBeUndefined();
        expect(await d.get("x:Tracer", replacement.id)).toMatchObject({
            "@type": "Log",
            prefix: `acc-${ctx.suffix}`,
            enable: false,
        });
        await d.delete(replacement.id, replacement.outs);
        expect(await d.get("x:Tracer", replacement.id)).toBeUndefined();
    });

    it("x:OAuthClient secret: never kept in state, never sent as ****, diffed by salted hash", async () => {
        const s1 = `s1-${randomBytes(18).toString("base64url")}`;
        const s2 = `s2-${randomBytes(18).toString("base64url")}`;
        const props = {
            clientId: `acc-${ctx.suffix}`,
            description: "tailwart acceptance client",
            secret: s1,
            redirectUris: ["https://app.test/callback"],
        };
        expect(await d.failures("x:OAuthClient", { ...props, secret: "****" }), "the mask is not a secret").toEqual([
            "properties.secret",
        ]);

        const v1 = await d.check("x:OAuthClient", props);
        const created = await d.create(v1);
        const state = JSON.stringify(created.outs);
        expect(state.includes(s1), "the plaintext secret is not in the outputs").toBe(false);
        expect(created.outs.managed.secret).toBe("****");
        expect(Object.keys(created.outs.secretHashes)).toEqual(["secret"]);
        if (ctx.target.stored) expect(ctx.target.stored("x:OAuthClient", created.id)?.secret).toBe(s1);
        const server = await d.get("x:OAuthClient", created.id);
        expect(server?.clientId).toBe(props.clientId);
        expect(server?.secret === undefined || server.secret === "****", "the server masks the secret").toBe(true);

        // same secret: nothing to do
        expect((await d.diff(created.id, created.outs, await d.check("x:OAuthClient", props, {}, v1))).changes).toBe(
            "none",
        );

        // another property changes: the patch leaves the secret alone and never carries the mask
        const described = await d.check("x:OAuthClient", { ...props, description: "renamed" }, {}, v1);
        expect((await d.diff(created.id, created.outs, described)).changes).toBe("some");
        let mark = ctx.proxy.mark();
        const updated = await d.update(created.id, created.outs, described);
        let writes = setCalls(ctx.proxy.since(mark));
        expect(writes.map((c) => c[1].update)).toEqual([{ [created.id]: { description: "renamed" } }]);
        if (ctx.target.stored) expect(ctx.target.stored("x:OAuthClient", created.id)?.secret).toBe(s1);

        // a new secret: the hash differs, so it is written, in plaintext, and kept only as a new hash
        const rotated = await d.check("x:OAuthClient", { ...props, description: "renamed", secret: s2 }, {}, described);
        expect((await d.diff(created.id, updated.outs, rotated)).changes).toBe("some");
        mark = ctx.proxy.mark();
        const rotatedOuts = await d.update(created.id, updated.outs, rotated);
        writes = setCalls(ctx.proxy.since(mark));
        expect(writes.map((c) => c[1].update)).toEqual([{ [created.id]: { secret: s2 } }]);
        expect(JSON.stringify(rotatedOuts.outs).includes(s2)).toBe(false);
        expect(rotatedOuts.outs.secretHashes.secret).not.toBe(updated.outs.secretHashes.secret);
        if (ctx.target.stored) expect(ctx.target.stored("x:OAuthClient", created.id)?.secret).toBe(s2);

        const everyWrite = ctx.proxy.log.filter((r) => setCalls([r]).length > 0).map((r) => r.body);
        expect(
            everyWrite.filter((b) => b.includes('"****"')),
            "no request ever sent the mask",
        ).toEqual([]);
        await d.delete(created.id, rotatedOuts.outs);
        expect(await d.get("x:OAuthClient", created.id)).toBeUndefined();
    });

    it("adopt: an object that already holds the natural key is taken over (or refused with adopt: false)", async () => {
        const name = `adopt-${ctx.suffix}.test`;
        const made = await d.set("x:Domain", {
            create: { h: { name, dkimManagement: { "@type": "Manual" }, description: "made by hand" } },
        });
        const existing = String(made.created.h.id);
        d.remember("x:Domain", existing);
        const props = { name, dkimManagement: { "@type": "Manual" }, description: "managed by tailwart" };

        const refused = await d.create(await d.check("x:Domain", props, { adopt: false })).then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(refused).toBeInstanceOf(ProviderHostError);
        expect(String((refused as Error).message)).toMatch(
            new RegExp(`x:Domain "${name.replace(/\./g, "\\.")}": create failed with primaryKeyViolation`),
        );
        expect((await d.get("x:Domain", existing))?.description).toBe("made by hand");

        const mark = ctx.proxy.mark();
        const adopted = await d.create(await d.check("x:Domain", props));
        expect(ctx.proxy.since(mark), "the look-up by name finds it, then one update+get").toHaveLength(2);
        expect(adopted.id).toBe(existing);
        expect(adopted.outs.adopted).toBe(true);
        expect(adopted.outs.restore).toMatchObject({ description: "made by hand" });
        expect((await d.get("x:Domain", existing))?.description).toBe("managed by tailwart");
        // an adopted object is given back, never deleted
        await d.delete(adopted.id, adopted.outs);
        expect(await d.get("x:Domain", existing)).toMatchObject({ name, description: "made by hand" });
    });

    it("immutable x:NetworkListener name: replaced, the new one created before the old is deleted (nothing can clash)", async () => {
        const port = 20_000 + (Number.parseInt(ctx.suffix.slice(0, 4), 16) % 10_000);
        const listener = { name: `acc-${ctx.suffix}-a`, bind: [`[::]:${port}`], protocol: "smtp" };
        const a = await d.check("x:NetworkListener", listener);
        const created = await d.create(a);
        expect(await d.get("x:NetworkListener", created.id)).toMatchObject({
            name: listener.name,
            bind: { [`[::]:${port}`]: true },
        });

        const b = await d.check("x:NetworkListener", { ...listener, name: `acc-${ctx.suffix}-b` }, {}, a);
        const replace = await d.diff(created.id, created.outs, b);
        expect(replace).toMatchObject({ changes: "some", replaces: ["properties"], deleteBeforeReplace: false });
        const replacement = await d.create(b);
        expect(replacement.id).not.toBe(created.id);
        await d.delete(created.id, created.outs);
        expect(await d.get("x:NetworkListener", created.id)).toBeUndefined();
        expect((await d.get("x:NetworkListener", replacement.id))?.name).toBe(`acc-${ctx.suffix}-b`);
        await d.delete(replacement.id, replacement.outs);
    });

    it("x:MtaRoute @type change keeping its unique name: deleteBeforeReplace, since a create first would clash", async () => {
        const name = `acc-${ctx.suffix}-route`;
        const local = await d.check("x:MtaRoute", { "@type": "Local", name, description: "acceptance" });
        const created = await d.create(local);
        const mx = await d.check(
            "x:MtaRoute",
            { "@type": "Mx", name, description: "acceptance" },
            { adopt: false },
            local,
        );
        const replace = await d.diff(created.id, created.outs, mx);
        expect(replace).toMatchObject({ changes: "some", replaces: ["properties"], deleteBeforeReplace: true });
        // what create-before-delete would meet
        const clash = await d.create(mx).then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(String(clash)).toMatch(/primaryKeyViolation/);
        await d.delete(created.id, created.outs);
        const replacement = await d.create(mx);
        expect(await d.get("x:MtaRoute", replacement.id)).toMatchObject({ "@type": "Mx", name });
        expect(await d.get("x:MtaRoute", created.id)).toBeUndefined();
        await d.delete(replacement.id, replacement.outs);
    });

    it("StalwartConvergence over the applied objects: one ReloadSettings, every object verified, a second apply does nothing", async () => {
        const domain = await d.create(
            await d.check("x:Domain", { name: `conv-${ctx.suffix}.test`, dkimManagement: { "@type": "Manual" } }),
        );
        const tracer = await d.create(await d.check("x:Tracer", { "@type": "Stdout", level: "warn", enable: false }));
        const before = await d.get("x:Authentication", "singleton");
        d.restores.push(async () => {
            if (typeof before?.maxApiKeys === "number")
                await d.set("x:Authentication", { update: { singleton: { maxApiKeys: before.maxApiKeys } } });
        });
        const auth = await d.create(
            await d.check("x:Authentication", { maxApiKeys: before?.maxApiKeys === 41 ? 42 : 41 }),
        );
        const objects: TrackedObject[] = [domain, tracer, auth].map(({ outs }) => ({
            objectType: outs.objectType,
            objectId: outs.objectId,
            properties: { ...outs.properties, [CONTENT_KEY]: outs.contentHash },
            volatile: volatileProperties(outs.objectType),
        }));
        const inputs = {
            objects,
            readiness: { attempts: 3, baseDelayMs: 500, liveTimeoutMs: 30_000 },
            __provider: await d.providerText("convergence"),
        };
        const mark = ctx.proxy.mark();
        const { properties: outs } = await ctx.host.create(inputs, { type: CONVERGENCE_TYPE });
        const actions = setCalls(ctx.proxy.since(mark)).filter((c) => c[0] === "x:Action/set");
        expect(actions.map((c) => Object.values(c[1].create))).toEqual([[{ "@type": "ReloadSettings" }]]);
        expect(outs).toMatchObject({ reloads: ["ReloadSettings"], restarted: false, pendingRestart: [], verified: 3 });
        expect((await ctx.host.diff("convergence", outs, inputs, { type: CONVERGENCE_TYPE })).changes).toBe("none");
        await d.delete(tracer.id, tracer.outs);
        await d.delete(domain.id, domain.outs);
    });
}
