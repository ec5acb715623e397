/**
 * Simulator: shared unique keys (x:Domain names and aliases, docs/stalwart-facts.md#domain-dkim; the e-mail address key of
 * x:Account and x:MailingList, docs/stalwart-facts.md#accounts), per-account singletons (docs/stalwart-facts.md#singletons, #api-keys), and the faults the
 * provider tests use (result maps sent empty or null, method errors, a 5xx after commit).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, create, createId, getOne, jmap, update } from "../support/stalwart/client";
import { startStalwartSimulator, type StalwartSimulator } from "../support/stalwart/index";

let sim: StalwartSimulator;
let domain: string;
const manual = { "@type": "Manual" };
beforeAll(async () => {
    sim = await startStalwartSimulator();
    domain = await createId(sim, "x:Domain", {
        name: "keys.test",
        aliases: { "alias.keys.test": true },
        dkimManagement: manual,
    });
});
afterAll(() => sim.close());

describe("x:Domain: names and aliases share one unique index", () => {
    it("a new name equal to another domain's alias clashes on name, naming that domain", async () => {
        const r = await create(sim, "x:Domain", { name: "ALIAS.keys.test", dkimManagement: manual });
        expect(r.notCreated.n).toMatchObject({
            type: "primaryKeyViolation",
            properties: ["name"],
            objectId: { object: "Domain", id: domain },
        });
    });

    it("a new alias equal to another domain's name or alias clashes on aliases, also on update", async () => {
        const r = await create(sim, "x:Domain", {
            name: "other.test",
            aliases: { "keys.test": true },
            dkimManagement: manual,
        });
        expect(r.notCreated.n).toMatchObject({
            type: "primaryKeyViolation",
            properties: ["aliases"],
            objectId: { object: "Domain", id: domain },
        });
        const other = await createId(sim, "x:Domain", { name: "other.test", dkimManagement: manual });
        const u = await update(sim, "x:Domain", other, { "aliases/alias.keys.test": true });
        expect(u.notUpdated[other]).toMatchObject({
            type: "primaryKeyViolation",
            properties: ["aliases"],
            objectId: { object: "Domain", id: domain },
        });
        expect((await update(sim, "x:Domain", domain, { "aliases/keys.test": true })).updated).toEqual({
            [domain]: null,
        }); // its own name is no clash
    });
});

describe("x:Account and x:MailingList share the e-mail address key", () => {
    it("an account on a list's address, a list on an account's alias, an account on an account's alias", async () => {
        const list = await createId(sim, "x:MailingList", { name: "Team", domainId: domain });
        expect(sim.stored("x:MailingList", list)?.name).toBe("team");
        const a = await create(sim, "x:Account", { "@type": "User", name: "team", domainId: domain });
        expect(a.notCreated.n).toMatchObject({
            type: "primaryKeyViolation",
            properties: ["name", "domainId"],
            objectId: { object: "MailingList", id: list },
        });

        const alice = await createId(sim, "x:Account", {
            "@type": "User",
            name: "alice",
            domainId: domain,
            aliases: { "0": { name: "Postmaster", domainId: domain } },
        });
        const l = await create(sim, "x:MailingList", { name: "postmaster", domainId: domain });
        expect(l.notCreated.n).toMatchObject({
            type: "primaryKeyViolation",
            objectId: { object: "Account", id: alice },
        });
        const b = await create(sim, "x:Account", {
            "@type": "User",
            name: "bob",
            domainId: domain,
            aliases: { "0": { name: "alice", domainId: domain } },
        });
        expect(b.notCreated.n).toMatchObject({
            type: "primaryKeyViolation",
            properties: ["aliases"],
            objectId: { object: "Account", id: alice },
        });
        // Updating an account with its own address is no clash.
        expect((await update(sim, "x:Account", alice, { description: "x" })).updated).toEqual({ [alice]: null });
    });
});

describe("per-account singletons", () => {
    it("x:AccountSettings is one object per User account; other accounts (the recovery admin's) get notFound", async () => {
        const u1 = await createId(sim, "x:Account", { "@type": "User", name: "u1", domainId: domain });
        const u2 = await createId(sim, "x:Account", { "@type": "User", name: "u2", domainId: domain });
        expect(
            (await call(sim, "x:AccountSettings/set", { accountId: u1, update: { singleton: { locale: "fr_FR" } } }))
                .updated,
        ).toEqual({ singleton: null });
        expect((await call(sim, "x:AccountSettings/get", { accountId: u1, ids: ["singleton"] })).list[0]).toMatchObject(
            { id: "singleton", locale: "fr_FR" },
        );
        expect((await call(sim, "x:AccountSettings/get", { accountId: u2, ids: ["singleton"] })).list[0]).toMatchObject(
            { id: "singleton", locale: "en_US" },
        );
        expect((await call(sim, "x:AccountSettings/get", { ids: ["singleton"] })).notFound).toEqual(["singleton"]);
        expect(
            (await call(sim, "x:AccountSettings/set", { update: { singleton: { locale: "fr_FR" } } })).notUpdated
                .singleton.type,
        ).toBe("notFound");
        expect(sim.stored("x:AccountSettings", u1)).toMatchObject({ locale: "fr_FR" });
        expect((await call(sim, "x:Account/set", { destroy: [u1] })).destroyed).toEqual([u1]);
        expect(sim.stored("x:AccountSettings", u1)).toBeUndefined();
    });
});

describe("faults", () => {
    it("setResultMaps sends empty maps as {} / [] or null", async () => {
        sim.faults.setResultMaps = "empty";
        expect(await update(sim, "x:Domain", domain, { description: "e" })).toEqual({
            accountId: expect.any(String),
            created: {},
            updated: { [domain]: null },
            destroyed: [],
            notCreated: {},
            notUpdated: {},
            notDestroyed: {},
        });
        sim.faults.setResultMaps = "null";
        expect(await update(sim, "x:Domain", domain, { description: "n" })).toMatchObject({
            created: null,
            updated: { [domain]: null },
            destroyed: null,
            notUpdated: null,
        });
        sim.faults.setResultMaps = "omit";
        expect(Object.keys(await update(sim, "x:Domain", domain, { description: "o" }))).toEqual([
            "accountId",
            "updated",
        ]);
    });

    it("failMethod fails the next calls of one method only; the rest of the request runs", async () => {
        sim.faults.failMethod("x:Domain/get", 1, "serverFail");
        const [set, get] = await jmap(sim, [
            ["x:Domain/set", { create: { c: { name: "fm.test", dkimManagement: manual } } }, "s"],
            ["x:Domain/get", { ids: ["#c"] }, "g"],
        ]);
        expect(set![1].created.c.id).toEqual(expect.any(String));
        expect(get).toEqual(["error", { type: "serverFail", description: "Injected failure" }, "g"]);
        expect((await getOne(sim, "x:Domain", set![1].created.c.id)).name).toBe("fm.test");
    });

    it("failAfterCommit applies the request, then answers the status; jmapLog records request bodies", async () => {
        sim.resetCounters();
        sim.faults.failAfterCommit(1, 502);
        await expect(create(sim, "x:Domain", { name: "fac.test", dkimManagement: manual })).rejects.toThrow(/HTTP 502/);
        expect(Object.values(sim.stored("x:Domain")).some((d) => d.name === "fac.test")).toBe(true);
        expect(sim.jmapLog).toHaveLength(1);
        expect(sim.jmapLog[0]!.methodCalls[0]![0]).toBe("x:Domain/set");
    });
});
