/**
 * Registry semantics of the Stalwart simulator (docs/stalwart-facts.md#singletons, #set-semantics, #wire-format, #test-double-checklist): singletons, create
 * from defaults, rejected input, normalization, secrets, JSON-pointer updates, validation, unique
 * and foreign keys, ids, references and /query. Runs against the generated table and the fixture.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TABLE } from "../../components/stalwart/schema/table";
import { call, create, createId, destroy, getOne, jmap, update } from "../support/stalwart/client";
import { FIXTURE_TABLE, type StalwartSimulator, startStalwartSimulator } from "../support/stalwart/index";

describe.each([
    ["generated table", TABLE],
    ["fixture table", FIXTURE_TABLE],
])("registry semantics (%s)", (_, table) => {
    let sim: StalwartSimulator;
    let domain: string;
    beforeAll(async () => {
        sim = await startStalwartSimulator({ table });
        domain = await createId(sim, "x:Domain", { name: "example.org", dkimManagement: { "@type": "Manual" } });
    });
    afterAll(() => sim.close());

    describe("singletons", () => {
        it("get [singleton] returns the defaults before any write; ids:null returns an empty list", async () => {
            const settings = await getOne(sim, "x:SystemSettings", "singleton");
            expect(settings).toMatchObject({
                id: "singleton",
                defaultHostname: "",
                maxConnections: 8192,
                proxyTrustedNetworks: {},
            });
            expect(settings.defaultDomainId).toBe("p333333333333");
            expect((await call(sim, "x:SystemSettings/get", { ids: null })).list).toEqual([]);
            expect((await call(sim, "x:SystemSettings/get", { ids: ["b"] })).notFound).toEqual(["b"]);
        });

        it("update works when nothing is stored; ids:null still lists nothing", async () => {
            expect(
                await update(sim, "x:SystemSettings", "singleton", {
                    defaultHostname: "mail.example.org",
                    defaultDomainId: domain,
                }),
            ).toEqual({
                accountId: "d333333",
                updated: { singleton: null },
            });
            expect(sim.stored("x:SystemSettings", "singleton")).toMatchObject({
                defaultHostname: "mail.example.org",
                defaultDomainId: domain,
            });
            expect((await call(sim, "x:SystemSettings/get", { ids: null })).list).toEqual([]);
            expect(
                (await update(sim, "x:SystemSettings", "other", { defaultHostname: "x" })).notUpdated.other.type,
            ).toBe("notFound");
        });

        it("destroy → SetError singleton", async () => {
            const r = await destroy(sim, "x:SystemSettings", "singleton");
            expect(r.notDestroyed.singleton.type).toBe("singleton");
        });

        it("create REPLACES the whole object from defaults and answers id singleton", async () => {
            await update(sim, "x:Authentication", "singleton", { passwordMinLength: 12, maxApiKeys: 3 });
            const r = await create(sim, "x:Authentication", { maxApiKeys: 4 });
            expect(r.created.n).toEqual({ id: "singleton" });
            const auth = await getOne(sim, "x:Authentication", "singleton");
            expect(auth.maxApiKeys).toBe(4);
            expect(auth.passwordMinLength).toBe(8); // back to the default: a full replace, not a merge
        });

        it("a first write without a valid defaultDomainId fails validate()", async () => {
            const fresh = await startStalwartSimulator({ table });
            const r = await update(fresh, "x:SystemSettings", "singleton", { defaultHostname: "mail.example.org" });
            expect(r.notUpdated.singleton.type).toBe("validationFailed");
            expect(r.notUpdated.singleton.validationErrors).toContainEqual({
                type: "Required",
                property: "defaultDomainId",
            });
            await fresh.close();
        });
    });

    describe("create", () => {
        it("starts from defaults and returns only the id; get returns every property incl. nulls and {}", async () => {
            const r = await create(sim, "x:NetworkListener", { name: "smtp", bind: { "[::]:25": true } });
            expect(Object.keys(r.created.n)).toEqual(["id"]);
            const got = await getOne(sim, "x:NetworkListener", r.created.n.id);
            expect(got).toMatchObject({
                name: "smtp",
                protocol: "smtp",
                useTls: true,
                tlsImplicit: false,
                tlsTimeout: 60000,
                overrideProxyTrustedNetworks: {},
            });
            const fields = (table.schemas["x:NetworkListener"] as { fields: Record<string, unknown> }).fields;
            expect(Object.keys(got).sort()).toEqual(["id", ...Object.keys(fields)].sort());
        });

        it("variant types require @type on create; get includes @type", async () => {
            const r = await create(sim, "x:Directory", { description: "idp", issuerUrl: "https://idp.example.org" });
            expect(r.notCreated.n).toMatchObject({
                type: "invalidPatch",
                description: "Missing or invalid '@type' property in object",
            });
            const id = await createId(sim, "x:Directory", {
                "@type": "Oidc",
                description: "idp",
                issuerUrl: "https://idp.example.org",
            });
            expect(await getOne(sim, "x:Directory", id)).toMatchObject({
                "@type": "Oidc",
                claimUsername: "preferred_username",
                requireScopes: { openid: true, email: true },
            });
        });

        it.each([
            [
                "a serverSet property",
                { name: "a.org", createdAt: "2020-01-01T00:00:00Z" },
                "createdAt",
                "Cannot modify server set property",
            ],
            ["id", { name: "b.org", id: "zz" }, "id", "Invalid property"],
            ["an unknown property", { name: "c.org", colour: "red" }, "colour", "Invalid property"],
            ["an empty string", { name: "d.org", description: "" }, "description", undefined],
            ["a JSON array", { name: "e.org", aliases: ["x.org"] }, "aliases", "Invalid value for object property"],
            [
                "a variant object without @type",
                { name: "f.org", certificateManagement: { acmeProviderId: "b" } },
                "certificateManagement/@type",
                "Missing or invalid '@type' property in object",
            ],
        ])("rejects %s with invalidPatch", async (_, value, property, description) => {
            const r = await create(sim, "x:Domain", value);
            expect(r.notCreated.n.type).toBe("invalidPatch");
            expect(r.notCreated.n.properties).toEqual([property]);
            if (description) expect(r.notCreated.n.description).toBe(description);
        });

        it.each([0, -5, 1.5])("rejects the duration %s", async (tlsTimeout) => {
            const r = await create(sim, "x:NetworkListener", {
                name: `l${tlsTimeout}`,
                bind: { "[::]:26": true },
                tlsTimeout,
            });
            expect(r.notCreated.n).toMatchObject({
                type: "invalidPatch",
                description: "Invalid duration value",
                properties: ["tlsTimeout"],
            });
        });

        it("normalizes domain names (lower-case, reserved TLDs) and rejects .example", async () => {
            const id = await createId(sim, "x:Domain", {
                name: " Mixed.Case.ORG ",
                aliases: { "ALIAS.test": true },
                dkimManagement: { "@type": "Manual" },
            });
            expect(await getOne(sim, "x:Domain", id)).toMatchObject({
                name: "mixed.case.org",
                aliases: { "alias.test": true },
            });
            expect(
                (await create(sim, "x:Domain", { name: "corp.internal", dkimManagement: { "@type": "Manual" } }))
                    .created.n.id,
            ).toBeTruthy();
            const bad = await create(sim, "x:Domain", { name: "mail.example" });
            expect(bad.notCreated.n).toMatchObject({
                type: "invalidPatch",
                description: "Invalid domain name",
                properties: ["name"],
            });
        });

        it("normalizes email addresses and account names to lower case", async () => {
            const id = await createId(sim, "x:Account", { "@type": "User", name: "Bob", domainId: domain });
            await update(sim, "x:Domain", domain, { catchAllAddress: "Catch@Example.ORG" });
            expect((await getOne(sim, "x:Account", id)).name).toBe("bob");
            expect((await getOne(sim, "x:Account", id)).emailAddress).toBe("bob@example.org");
            expect((await getOne(sim, "x:Domain", domain)).catchAllAddress).toBe("catch@example.org");
            expect(
                (await update(sim, "x:Domain", domain, { catchAllAddress: "nobody" })).notUpdated[domain].description,
            ).toBe("Invalid email address");
        });
    });

    describe("secrets", () => {
        it('masks secrets as "****" on get and stores them in clear', async () => {
            const id = await createId(sim, "x:OAuthClient", { clientId: "webui", secret: "hunter22" });
            expect((await getOne(sim, "x:OAuthClient", id)).secret).toBe("****");
            expect(sim.stored("x:OAuthClient", id)?.secret).toBe("hunter22");
        });

        it('"****" written back BECOMES the secret (OAuthClient, SecretKey values)', async () => {
            const id = await createId(sim, "x:OAuthClient", { clientId: "cli", secret: "original" });
            await update(sim, "x:OAuthClient", id, { secret: "****" });
            expect(sim.stored("x:OAuthClient", id)?.secret).toBe("****");
            await update(sim, "x:BlobStore", "singleton", {
                "@type": "S3",
                bucket: "mail",
                secretKey: { "@type": "Value", secret: "s3-secret" },
            });
            expect((await getOne(sim, "x:BlobStore", "singleton")).secretKey).toEqual({
                "@type": "Value",
                secret: "****",
            });
            await update(sim, "x:BlobStore", "singleton", { "secretKey/secret": "****" });
            expect(sim.stored("x:BlobStore", "singleton")?.secretKey).toEqual({ "@type": "Value", secret: "****" });
        });

        it('Account credentials keep the old secret when "****" is written back', async () => {
            const id = await createId(sim, "x:Account", {
                "@type": "User",
                name: "carol",
                domainId: domain,
                credentials: { "0": { "@type": "Password", secret: "long enough pw" } },
            });
            const got = await getOne(sim, "x:Account", id);
            expect(got.credentials["0"].secret).toBe("****");
            await update(sim, "x:Account", id, { "credentials/0/secret": "****" });
            expect(sim.stored("x:Account", id)?.credentials).toMatchObject({ "0": { secret: "long enough pw" } });
            await update(sim, "x:Account", id, { credentials: got.credentials });
            expect(sim.stored("x:Account", id)?.credentials).toMatchObject({ "0": { secret: "long enough pw" } });
            await update(sim, "x:Account", id, { "credentials/0/secret": "another long pw" });
            expect(sim.stored("x:Account", id)?.credentials).toMatchObject({ "0": { secret: "another long pw" } });
        });
    });

    describe("update (JSON-pointer patch)", () => {
        let id: string;
        beforeAll(async () => {
            id = await createId(sim, "x:Domain", {
                name: "patch.org",
                aliases: { "a.org": true },
                description: "d",
                dkimManagement: { "@type": "Manual" },
            });
        });

        it("scalars replace; null clears a nullable property and is refused on a non-nullable one", async () => {
            await update(sim, "x:Domain", id, { description: "new", allowRelaying: true });
            expect(sim.stored("x:Domain", id)).toMatchObject({ description: "new", allowRelaying: true });
            await update(sim, "x:Domain", id, { description: null });
            expect(sim.stored("x:Domain", id)?.description).toBeNull();
            expect((await update(sim, "x:Domain", id, { isEnabled: null })).notUpdated[id].type).toBe("invalidPatch");
        });

        it("a whole set is replaced; element patches add and remove members", async () => {
            await update(sim, "x:Domain", id, { aliases: { "b.org": true, "c.org": true, "d.org": false } });
            expect(sim.stored("x:Domain", id)?.aliases).toEqual({ "b.org": true, "c.org": true });
            await update(sim, "x:Domain", id, {
                "aliases/e.org": true,
                "/aliases/b.org": false,
                "aliases/c.org": null,
            });
            expect(sim.stored("x:Domain", id)?.aliases).toEqual({ "e.org": true });
        });

        it("variant objects reset to the defaults of the sent @type; nested paths patch inside", async () => {
            await update(sim, "x:Domain", id, { dkimManagement: { "@type": "Automatic", rotateAfter: 1000 } });
            expect(sim.stored("x:Domain", id)?.dkimManagement).toMatchObject({
                "@type": "Automatic",
                rotateAfter: 1000,
                retireAfter: 604800000,
            });
            await update(sim, "x:Domain", id, { "dkimManagement/retireAfter": 5000 });
            expect(sim.stored("x:Domain", id)?.dkimManagement).toMatchObject({ rotateAfter: 1000, retireAfter: 5000 });
            await update(sim, "x:Domain", id, { dkimManagement: { "@type": "Automatic" } });
            expect(sim.stored("x:Domain", id)?.dkimManagement).toMatchObject({
                rotateAfter: 7776000000,
                retireAfter: 604800000,
            });
            expect(
                (await update(sim, "x:Domain", id, { dkimManagement: { rotateAfter: 1 } })).notUpdated[id].description,
            ).toBe("Missing or invalid '@type' property in object");
        });

        it("single-schema embedded objects merge; maps upsert and delete by key", async () => {
            await update(sim, "x:SystemSettings", "singleton", {
                services: { imap: { cleartext: true, hostname: "imap.example.org" } },
            });
            expect(sim.stored("x:SystemSettings", "singleton")?.services).toEqual({
                imap: { cleartext: true, hostname: "imap.example.org" },
            });
            await update(sim, "x:SystemSettings", "singleton", { "services/imap": { cleartext: false } });
            expect(sim.stored("x:SystemSettings", "singleton")?.services).toEqual({
                imap: { cleartext: false, hostname: "imap.example.org" },
            });
            await update(sim, "x:SystemSettings", "singleton", {
                "services/smtp": { cleartext: true },
                "services/imap": null,
            });
            expect(Object.keys((sim.stored("x:SystemSettings", "singleton")?.services ?? {}) as object)).toEqual([
                "smtp",
            ]);
        });

        it("objectList: whole replace, element write from defaults, nested patch, removal with compaction", async () => {
            await update(sim, "x:SystemSettings", "singleton", {
                mailExchangers: { "0": { priority: 5 }, "1": { priority: 20, hostname: "mx2.example.org" } },
            });
            await update(sim, "x:SystemSettings", "singleton", {
                "mailExchangers/1/priority": 30,
                "mailExchangers/2": { priority: 40 },
            });
            await update(sim, "x:SystemSettings", "singleton", { "mailExchangers/0": null });
            expect(sim.stored("x:SystemSettings", "singleton")?.mailExchangers).toEqual({
                "0": { priority: 30, hostname: "mx2.example.org" },
                "1": { priority: 40, hostname: null },
            });
        });

        it("immutable fields are rejected on update even when unchanged", async () => {
            const l = await createId(sim, "x:NetworkListener", { name: "imaps", bind: { "[::]:993": true } });
            const r = await update(sim, "x:NetworkListener", l, { name: "imaps" });
            expect(r.notUpdated[l]).toMatchObject({
                type: "invalidPatch",
                description: "Cannot modify read-only property",
                properties: ["name"],
            });
        });

        it("serverSet, id and unknown properties are rejected on update", async () => {
            for (const key of ["createdAt", "id", "nope"]) {
                expect((await update(sim, "x:Domain", id, { [key]: "x" })).notUpdated[id].type).toBe("invalidPatch");
            }
        });

        it("changing @type rebuilds the object from the new variant's defaults", async () => {
            const dir = await createId(sim, "x:Directory", {
                "@type": "Oidc",
                description: "old",
                issuerUrl: "https://idp.example.org",
                usernameDomain: "example.org",
            });
            await update(sim, "x:Directory", dir, { usernameDomain: "example.net" });
            expect(sim.stored("x:Directory", dir)?.usernameDomain).toBe("example.net");
            const r = await update(sim, "x:BlobStore", "singleton", { "@type": "FileSystem", path: "/var/blobs" });
            expect(r.updated).toEqual({ singleton: null });
            expect(sim.stored("x:BlobStore", "singleton")).toMatchObject({ "@type": "FileSystem", path: "/var/blobs" });
            expect(sim.stored("x:BlobStore", "singleton")).not.toHaveProperty("bucket");
        });

        it("an Account's @type cannot change (invalidProperties)", async () => {
            const acct = await createId(sim, "x:Account", { "@type": "Group", name: "staff", domainId: domain });
            const r = await update(sim, "x:Account", acct, { "@type": "User" });
            expect(r.notUpdated[acct]).toMatchObject({ type: "invalidProperties", properties: ["@type"] });
        });

        it("an update of a missing object → notFound; update+destroy of one id → willDestroy", async () => {
            expect((await update(sim, "x:Domain", "zzzz", { description: "x" })).notUpdated.zzzz.type).toBe("notFound");
            const tmp = await createId(sim, "x:Role", { description: "tmp" });
            const r = await call(sim, "x:Role/set", { update: { [tmp]: { description: "y" } }, destroy: [tmp] });
            expect(r.notUpdated[tmp].type).toBe("willDestroy");
            expect(r.destroyed).toEqual([tmp]);
        });
    });

    describe("store checks", () => {
        it("required fields → validationFailed with validationErrors", async () => {
            const r = await create(sim, "x:Role", {});
            expect(r.notCreated.n).toMatchObject({
                type: "validationFailed",
                validationErrors: [{ type: "Required", property: "description" }],
            });
            const l = await create(sim, "x:NetworkListener", { name: "nobind" });
            expect(l.notCreated.n.type).toBe("validationFailed");
            expect(l.notCreated.n.validationErrors[0].property).toBe("bind");
        });

        it("unique keys → primaryKeyViolation naming the existing object", async () => {
            const r = await create(sim, "x:Domain", { name: "EXAMPLE.org" });
            expect(r.notCreated.n).toMatchObject({
                type: "primaryKeyViolation",
                properties: ["name"],
                objectId: { object: "Domain", id: domain },
            });
        });

        it("foreign keys → invalidForeignKey with the missing target", async () => {
            const r = await create(sim, "x:Account", { "@type": "User", name: "dan", domainId: "zz" });
            expect(r.notCreated.n).toMatchObject({
                type: "invalidForeignKey",
                objectId: { object: "Domain", id: "zz" },
            });
            const user = await createId(sim, "x:Account", { "@type": "User", name: "erin", domainId: domain });
            const notGroup = await create(sim, "x:Account", {
                "@type": "User",
                name: "fay",
                domainId: domain,
                memberGroupIds: { [user]: true },
            });
            expect(notGroup.notCreated.n.type).toBe("invalidForeignKey"); // memberGroupIds must point at Group accounts
        });

        it("destroy while referenced → objectIsLinked with linkedObjects; then destroy succeeds", async () => {
            const d = await createId(sim, "x:Domain", { name: "linked.org", dkimManagement: { "@type": "Manual" } });
            const a = await createId(sim, "x:Account", { "@type": "User", name: "gus", domainId: d });
            const r = await destroy(sim, "x:Domain", d);
            expect(r.notDestroyed[d]).toMatchObject({
                type: "objectIsLinked",
                objectId: { object: "Domain", id: d },
                linkedObjects: [{ object: "Account", id: a }],
            });
            expect((await destroy(sim, "x:Account", a)).destroyed).toEqual([a]);
            expect((await destroy(sim, "x:Domain", d)).destroyed).toEqual([d]);
            expect((await destroy(sim, "x:Domain", d)).notDestroyed[d].type).toBe("notFound");
        });
    });

    describe("ids, state and references", () => {
        it("sequential types count b, c, …; others get opaque base32 ids; no state", async () => {
            const fresh = await startStalwartSimulator({ table });
            const ids = [
                await createId(fresh, "x:Role", { description: "one" }),
                await createId(fresh, "x:Role", { description: "two" }),
            ];
            expect(ids).toEqual(["b", "c"]);
            const opaque = await createId(fresh, "x:Tracer", { "@type": "Stdout" });
            expect(opaque).toMatch(/^[a-z792013]{11,13}$/);
            const got = await call(fresh, "x:Role/get", { ids: null });
            expect(got).not.toHaveProperty("state");
            const q = await call(fresh, "x:Role/query", {});
            expect(q).toMatchObject({ queryState: "n", ids: ["c", "b"] }); // default order: id descending
            const set = await call(fresh, "x:Role/set", { ifInState: "bogus", update: { b: { description: "uno" } } });
            expect(set).not.toHaveProperty("newState");
            expect(set.updated).toEqual({ b: null });
            await fresh.close();
        });

        it("#cid references resolve in /set values, set keys and /get ids", async () => {
            const responses = await jmap(sim, [
                ["x:Domain/set", { create: { d1: { name: "refs.org", dkimManagement: { "@type": "Manual" } } } }, "s1"],
                [
                    "x:Account/set",
                    {
                        create: {
                            g: { "@type": "Group", name: "team", domainId: "#d1" },
                            u: { "@type": "User", name: "hal", domainId: "#d1", memberGroupIds: { "#g": true } },
                        },
                    },
                    "s2",
                ],
                ["x:Account/get", { ids: ["#u"], properties: ["domainId", "memberGroupIds", "bogus"] }, "g"],
            ]);
            const d1 = responses[0]![1].created.d1.id;
            const g = responses[1]![1].created.g.id;
            expect(responses[2]![1].list[0]).toEqual({
                id: responses[1]![1].created.u.id,
                domainId: d1,
                memberGroupIds: { [g]: true },
            });
        });

        it("creations referencing later creations of the same call are ordered first", async () => {
            const r = await call(sim, "x:Account/set", {
                create: {
                    u: { "@type": "User", name: "ivy", domainId: domain, memberGroupIds: { "#g": true } },
                    g: { "@type": "Group", name: "grp2", domainId: domain },
                },
            });
            expect(Object.keys(r.created).sort()).toEqual(["g", "u"]);
        });

        it("an unknown #cid: SetError notFound in /set, invalidResultReference in /get", async () => {
            const responses = await jmap(sim, [
                ["x:Account/set", { create: { x: { "@type": "User", name: "jo", domainId: "#missing" } } }, "s"],
                ["x:Account/get", { ids: ["#x"] }, "g"],
            ]);
            expect(responses[0]![1].notCreated.x.type).toBe("notFound");
            expect(responses[1]).toEqual(["error", expect.objectContaining({ type: "invalidResultReference" }), "g"]);
        });

        it("RFC 8620 result references: to /set → invalidResultReference, to /query → work", async () => {
            const responses = await jmap(sim, [
                ["x:Role/set", { create: { r: { description: "ref" } } }, "s"],
                ["x:Role/get", { "#ids": { resultOf: "s", name: "x:Role/set", path: "/created/r/id" } }, "g1"],
                ["x:Role/query", { filter: {} }, "q"],
                [
                    "x:Role/get",
                    { "#ids": { resultOf: "q", name: "x:Role/query", path: "/ids" }, properties: ["description"] },
                    "g2",
                ],
            ]);
            expect(responses[1]).toEqual([
                "error",
                { type: "invalidResultReference", description: "Result reference to s#x:Role/set not found." },
                "g1",
            ]);
            expect(responses[3]![1].list.length).toBe(responses[2]![1].ids.length);
            expect(responses[3]![1].list.length).toBeGreaterThan(0);
        });

        it("createdIds carry references across requests", async () => {
            const [first] = await jmap(
                sim,
                [
                    [
                        "x:Domain/set",
                        { create: { dd: { name: "carry.org", dkimManagement: { "@type": "Manual" } } } },
                        "s",
                    ],
                ],
                { createdIds: {} },
            );
            const ddId = first![1].created.dd.id;
            const [second] = await jmap(
                sim,
                [["x:Account/set", { create: { a: { "@type": "User", name: "kim", domainId: "#dd" } } }, "s"]],
                { createdIds: { dd: ddId } },
            );
            expect(sim.stored("x:Account", second![1].created.a.id)?.domainId).toBe(ddId);
        });
    });

    describe("/query", () => {
        it("equality filters on indexed properties, sort, limit, total; others unsupported", async () => {
            const q = await call(sim, "x:Domain/query", { filter: { name: "example.org" } });
            expect(q.ids).toEqual([domain]);
            const accounts = await call(sim, "x:Account/query", {
                filter: { domainId: domain, "@type": "Group" },
                sort: [{ property: "name", isAscending: true }],
                calculateTotal: true,
                limit: 1,
            });
            expect(accounts.total).toBeGreaterThanOrEqual(2);
            expect(accounts.ids).toHaveLength(1);
            expect(await getOne(sim, "x:Account", accounts.ids[0])).toMatchObject({ "@type": "Group", name: "grp2" });
            expect((await call(sim, "x:Domain/query", { filter: { description: "x" } })).type).toBe(
                "unsupportedFilter",
            );
            expect((await call(sim, "x:Domain/query", { filter: { operator: "OR", conditions: [] } })).type).toBe(
                "unsupportedFilter",
            );
            expect((await call(sim, "x:Domain/query", { sort: [{ property: "description" }] })).type).toBe(
                "unsupportedSort",
            );
        });
    });
});
