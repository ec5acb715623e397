/**
 * The Stalwart simulator's running configuration and special objects (docs/stalwart-facts.md#health, #reload-restart, #objects,
 * docs/stalwart-facts.md#oidc): x:Action, ReloadSettings with OIDC discovery, restart-scoped settings,
 * restart, /api/discover, automatic DKIM signatures, ACME registration and credentials.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TABLE } from "../../components/stalwart/schema/table";
import { call, create, createId, destroy, getOne, update, USING } from "../support/stalwart/client";
import { FIXTURE_TABLE, type StalwartSimulator, startStalwartSimulator } from "../support/stalwart/index";

const IDP = "https://idp.example.org/realms/mail";
const LE = "https://acme-v02.api.letsencrypt.org/directory";
const reload = (sim: StalwartSimulator) => call(sim, "x:Action/set", { create: { r1: { "@type": "ReloadSettings" } } });

describe.each([
    ["generated table", TABLE],
    ["fixture table", FIXTURE_TABLE],
])("running configuration (%s)", (_, table) => {
    let sim: StalwartSimulator;
    let domain: string;
    beforeEach(async () => {
        sim = await startStalwartSimulator({ table, restartDownMs: 150 });
        domain = await createId(sim, "x:Domain", { name: "example.org", dkimManagement: { "@type": "Manual" } });
    });
    afterEach(() => sim.close());

    describe("x:Action", () => {
        it.each(["ReloadSettings", "ReloadTlsCertificates", "ReloadLookupStores", "ReloadBlockedIps", "UpdateApps"])(
            "%s is created and answers created.r1 = {id}",
            async (variant) => {
                const r = await call(sim, "x:Action/set", { create: { r1: { "@type": variant } } });
                expect(Object.keys(r.created.r1)).toEqual(["id"]);
                expect(r.created.r1.id).toMatch(/^[a-z792013]+$/);
            },
        );

        it("is create-only: get → notFound, query → invalidArguments, update/destroy → forbidden, @type required", async () => {
            const { created } = await reload(sim);
            const id = created.r1.id;
            expect((await call(sim, "x:Action/get", { ids: [id] })).notFound).toEqual([id]);
            expect((await call(sim, "x:Action/query", {})).type).toBe("invalidArguments");
            expect((await update(sim, "x:Action", id, {})).notUpdated[id].type).toBe("forbidden");
            expect((await destroy(sim, "x:Action", id)).notDestroyed[id].type).toBe("forbidden");
            expect((await call(sim, "x:Action/set", { create: { r1: {} } })).notCreated.r1.type).toBe("invalidPatch");
        });
    });

    describe("ReloadSettings and OIDC directories", () => {
        it("writes do not touch the running config; ReloadSettings applies settings singletons and Directory", async () => {
            await update(sim, "x:Authentication", "singleton", { passwordMinLength: 10 });
            expect(sim.running().objects["x:Authentication"]).toBeUndefined();
            expect((await reload(sim)).created.r1.id).toBeTruthy();
            expect(sim.running().objects["x:Authentication"]?.singleton?.passwordMinLength).toBe(10);
            expect(sim.running().reloads).toBe(1);
        });

        it("an unreachable IdP fails the reload with validationFailed naming the Directory and keeps the old config", async () => {
            await update(sim, "x:Authentication", "singleton", { passwordMinLength: 11 });
            const dir = await createId(sim, "x:Directory", { "@type": "Oidc", description: "IdP", issuerUrl: IDP });
            const before = sim.running();
            const r = await reload(sim);
            expect(r.created).toBeUndefined();
            expect(r.notCreated.r1).toMatchObject({
                type: "validationFailed",
                objectId: { object: "Directory", id: dir },
            });
            expect(r.notCreated.r1.description).toMatch(/^Discovery fetch failed: /);
            const after = sim.running();
            expect(after.objects).toEqual(before.objects);
            expect(after.buildErrors[0]).toMatchObject({ object: "Directory", id: dir });
        });

        it("a reachable IdP binds as default directory after reload; /api/discover then serves the IdP document", async () => {
            sim.setReachableIdp(`${IDP}/`, true);
            const dir = await createId(sim, "x:Directory", { "@type": "Oidc", description: "IdP", issuerUrl: IDP });
            expect((await reload(sim)).created.r1).toBeTruthy();
            await update(sim, "x:Authentication", "singleton", { directoryId: dir });
            expect(sim.running().defaultDirectoryId).toBeNull(); // stored, not yet running
            await reload(sim);
            expect(sim.running().defaultDirectoryId).toBe(dir);
            const doc = await (await fetch(`${sim.url}/api/discover/alice@example.org`)).json();
            expect(doc.issuer).toBe(IDP);
            const bare = await (await fetch(`${sim.url}/api/discover/alice`)).json();
            expect(bare.issuer).toBe(""); // no domain part: Stalwart's own metadata
        });

        it("an IdP whose document names another issuer fails with an issuer mismatch", async () => {
            sim.setReachableIdp(IDP, true, {
                issuer: "https://other.example.org",
                jwks_uri: "https://other.example.org/jwks",
            });
            await createId(sim, "x:Directory", { "@type": "Oidc", description: "IdP", issuerUrl: IDP });
            expect((await reload(sim)).notCreated.r1.description).toMatch(/Issuer mismatch/);
        });

        it("a directory cannot be destroyed while Authentication points at it", async () => {
            const dir = await createId(sim, "x:Directory", { "@type": "Oidc", description: "IdP", issuerUrl: IDP });
            await update(sim, "x:Authentication", "singleton", { directoryId: dir });
            const r = await destroy(sim, "x:Directory", dir);
            expect(r.notDestroyed[dir]).toMatchObject({
                type: "objectIsLinked",
                linkedObjects: [{ object: "Authentication", id: "singleton" }],
            });
        });
    });

    describe("restart", () => {
        it("restart-scoped objects and SystemSettings.maxConnections only take effect after restart()", async () => {
            await update(sim, "x:SystemSettings", "singleton", {
                defaultHostname: "mail.example.org",
                defaultDomainId: domain,
                maxConnections: 100,
            });
            const listener = await createId(sim, "x:NetworkListener", { name: "smtp", bind: { "[::]:25": true } });
            await reload(sim);
            let running = sim.running();
            expect(running.objects["x:SystemSettings"]?.singleton).toMatchObject({
                defaultHostname: "mail.example.org",
                maxConnections: 8192,
            });
            expect(running.objects["x:NetworkListener"]).toBeUndefined();
            await sim.restart();
            running = sim.running();
            expect(running.boots).toBe(2);
            expect(running.objects["x:SystemSettings"]?.singleton?.maxConnections).toBe(100);
            expect(Object.keys(running.objects["x:NetworkListener"] ?? {})).toEqual([listener]);
        });

        it("is down while restarting (connection refused), then live again", async () => {
            const restarting = sim.restart();
            await new Promise((r) => setTimeout(r, 30));
            await expect(fetch(`${sim.url}/healthz/live`)).rejects.toThrow();
            await restarting;
            expect((await fetch(`${sim.url}/healthz/live`)).status).toBe(200);
        });

        it("a restart with the IdP down leaves the directory out and no default directory, stored binding intact", async () => {
            sim.setReachableIdp(IDP, true);
            const dir = await createId(sim, "x:Directory", { "@type": "Oidc", description: "IdP", issuerUrl: IDP });
            await update(sim, "x:Authentication", "singleton", { directoryId: dir });
            await reload(sim);
            expect(sim.running().defaultDirectoryId).toBe(dir);
            sim.setReachableIdp(IDP, false);
            await sim.restart();
            const running = sim.running();
            expect(running.directories[dir]).toBeUndefined();
            expect(running.defaultDirectoryId).toBeNull();
            expect(running.buildErrors.map((e) => e.object)).toEqual(["Directory", "Authentication"]);
            expect((await getOne(sim, "x:Authentication", "singleton")).directoryId).toBe(dir);
            expect((await (await fetch(`${sim.url}/api/discover/alice@example.org`)).json()).issuer).toBe("");
            sim.setReachableIdp(IDP, true);
            expect((await reload(sim)).created.r1).toBeTruthy();
            expect(sim.running().defaultDirectoryId).toBe(dir);
        });
    });

    describe("objects with side effects", () => {
        it("a Domain with automatic DKIM gets linked DkimSignatures that block its destroy", async () => {
            const d = await createId(sim, "x:Domain", { name: "dkim.org" });
            const sigs = (await call(sim, "x:DkimSignature/get", { ids: null })).list.filter(
                (s: { domainId: string }) => s.domainId === d,
            );
            expect(sigs.map((s: { "@type": string }) => s["@type"]).sort()).toEqual([
                "Dkim1Ed25519Sha256",
                "Dkim1RsaSha256",
            ]);
            expect(sigs[0].privateKey.secret).toBe("****");
            const blocked = await destroy(sim, "x:Domain", d);
            expect(blocked.notDestroyed[d].type).toBe("objectIsLinked");
            expect(blocked.notDestroyed[d].linkedObjects.map((l: { object: string }) => l.object)).toEqual([
                "DkimSignature",
                "DkimSignature",
            ]);
            await call(sim, "x:DkimSignature/set", { destroy: sigs.map((s: { id: string }) => s.id) });
            expect((await destroy(sim, "x:Domain", d)).destroyed).toEqual([d]);
        });

        it("AcmeProvider create registers with the directory: unreachable → invalidProperties on directory", async () => {
            const denied = await create(sim, "x:AcmeProvider", { contact: { "postmaster@example.org": true } });
            expect(denied.notCreated.n).toMatchObject({ type: "invalidProperties", properties: ["directory"] });
            sim.setReachableAcmeDirectory(LE, true);
            const id = await createId(sim, "x:AcmeProvider", {
                contact: { "Postmaster@Example.org": true },
                eabKeyId: "kid",
                eabHmacKey: "hmac",
            });
            const got = await getOne(sim, "x:AcmeProvider", id);
            expect(got).toMatchObject({
                directory: LE,
                contact: { "postmaster@example.org": true },
                accountKey: "****",
            });
            expect(got.description.startsWith(`${LE}#`)).toBe(true);
            expect(got).not.toHaveProperty("eabKeyId");
            expect((await update(sim, "x:AcmeProvider", id, { directory: LE })).notUpdated[id].description).toBe(
                "Cannot modify read-only property",
            );
            expect((await update(sim, "x:AcmeProvider", id, { eabKeyId: "other" })).updated).toEqual({ [id]: null });
        });

        it("ApiKey create needs a User accountId and returns the secret once; the key then authenticates", async () => {
            const user = await createId(sim, "x:Account", { "@type": "User", name: "ops", domainId: domain });
            expect((await create(sim, "x:ApiKey", { description: "ci" })).type).toBe("accountNotFound");
            const r = await call(sim, "x:ApiKey/set", { accountId: user, create: { k: { description: "ci" } } });
            expect(Object.keys(r.created.k).sort()).toEqual(["id", "secret"]);
            expect(r.created.k.secret).toMatch(/^API_/);
            const got = await call(sim, "x:ApiKey/get", { accountId: user, ids: null });
            expect(got.list).toEqual([
                expect.objectContaining({ id: r.created.k.id, description: "ci", secret: "****" }),
            ]);
            const res = await fetch(`${sim.url}/jmap`, {
                method: "POST",
                headers: { authorization: `Bearer ${r.created.k.secret}`, "content-type": "application/json" },
                body: JSON.stringify({ using: USING, methodCalls: [["x:ApiKey/get", { ids: null }, "g"]] }),
            });
            expect((await res.json()).methodResponses[0][1].accountId).toBe(user);
            const app = await call(sim, "x:AppPassword/set", {
                accountId: user,
                create: { a: { description: "phone" } },
            });
            expect(app.created.a.secret).toMatch(/^app_/);
        });
    });
});

describe("restart in 503 mode", () => {
    it("answers 503 on every path while restarting", async () => {
        const sim = await startStalwartSimulator({ restartMode: "503", restartDownMs: 200 });
        const restarting = sim.restart();
        await new Promise((r) => setTimeout(r, 30));
        expect((await fetch(`${sim.url}/healthz/live`)).status).toBe(503);
        await restarting;
        expect((await fetch(`${sim.url}/healthz/live`)).status).toBe(200);
        await sim.close();
    });
});
