// What the x:* provider makes of its inputs, through the SDK's dynamic-provider host over gRPC against
// the simulator: foreign-key errors without `properties`, properties left out of the inputs,
// write-only properties (/get never returns them), and values in the engine's secret envelope.
// docs/stalwart-facts.md#get-semantics, #set-errors, #field-defaults, #acme.
import { beforeAll, describe, expect, it } from "vitest";
import { engineSecret, type PlainObject, type ProviderHost } from "../support/providerHost";
import type { StalwartSimulator } from "../support/stalwart";
import { useStalwartProviderHost } from "../support/stalwartProviderHost";

const fixture = useStalwartProviderHost();
let sim: StalwartSimulator;
let host: ProviderHost;
const manual = { "@type": "Manual" };
const LE = "https://acme-v02.api.letsencrypt.org/directory";

beforeAll(() => {
    ({ sim, host } = fixture);
    sim.setReachableAcmeDirectory(LE, true);
});

const { provider, inputs, create, setCalls } = fixture;

describe("invalidForeignKey carries only objectId (docs/stalwart-facts.md#set-errors): the property is named from the inputs", () => {
    it("a singleton's directoryId, an account's domainId and a member of its memberGroupIds", async () => {
        const auth = await inputs("x:Authentication", { directoryId: "zz", passwordMaxLength: 64 });
        await expect(host.create(auth)).rejects.toThrow(
            /x:Authentication: update failed with invalidForeignKey on property directoryId\b.*\(refers to x:Directory id "zz", which does not exist/,
        );
        const account = await inputs("x:Account", { "@type": "User", name: "fk", domainId: "zz" });
        await expect(host.create(account)).rejects.toThrow(
            /create failed with invalidForeignKey on property domainId\b.*\(refers to x:Domain id "zz"/,
        );
        const d = await create("x:Domain", { name: "fk.test", dkimManagement: manual });
        const member = await inputs("x:Account", {
            "@type": "User",
            name: "fk",
            domainId: d.id,
            memberGroupIds: ["yy"],
        });
        await expect(host.create(member)).rejects.toThrow(
            /create failed with invalidForeignKey on property memberGroupIds\b.*\(refers to x:Account id "yy"/,
        );
    });
});

describe("a property left out of the inputs is a change (docs/stalwart-facts.md#field-defaults)", () => {
    it("x:Domain: description goes back to null, isEnabled to its default; the next diff is clean", async () => {
        const c = await create("x:Domain", {
            name: "removed.test",
            dkimManagement: manual,
            description: "hello",
            isEnabled: false,
        });
        const news = await inputs("x:Domain", { name: "removed.test", dkimManagement: manual });
        expect(await host.diff(c.id, c.outs, news)).toMatchObject({ changes: "some", replaces: [] });
        sim.resetCounters();
        const u = await host.update(c.id, c.outs, news);
        expect(sim.counters.requests).toBe(1);
        expect(setCalls()[0]![1].update).toEqual({ [c.id]: { description: null, isEnabled: true } });
        expect(sim.stored("x:Domain", c.id)).toMatchObject({ description: null, isEnabled: true });
        expect(u.properties.managed).toEqual(news.properties);
        expect(await host.diff(c.id, u.properties, news)).toMatchObject({ changes: "none" });
        const read = await host.read(c.id, u.properties);
        expect(read.inputs?.properties).toEqual({ name: "removed.test", dkimManagement: manual });
    });

    it("x:Authentication (singleton): directoryId goes back to null", async () => {
        sim.setReachableIdp("https://removed-idp.test", true);
        const dir = await create("x:Directory", {
            "@type": "Oidc",
            description: "idp",
            issuerUrl: "https://removed-idp.test",
        });
        const c = await create("x:Authentication", { directoryId: dir.id, passwordMaxLength: 64 });
        const news = await inputs("x:Authentication", { passwordMaxLength: 64 });
        expect(await host.diff("singleton", c.outs, news)).toMatchObject({ changes: "some", replaces: [] });
        const u = await host.update("singleton", c.outs, news);
        expect(sim.stored("x:Authentication", "singleton")).toMatchObject({ directoryId: null, passwordMaxLength: 64 });
        expect(await host.diff("singleton", u.properties, news)).toMatchObject({ changes: "none" });
    });

    it("what cannot be reset (x:SystemSettings defaultDomainId: required) is forgotten once, without a write", async () => {
        const d = await create("x:Domain", { name: "settings.test", dkimManagement: manual });
        const c = await create("x:SystemSettings", { defaultDomainId: d.id, defaultHostname: "mail.settings.test" });
        const news = await inputs("x:SystemSettings", { defaultHostname: "mail.settings.test" });
        expect(await host.diff("singleton", c.outs, news)).toMatchObject({ changes: "some", replaces: [] });
        sim.resetCounters();
        const u = await host.update("singleton", c.outs, news);
        expect(setCalls()).toEqual([]);
        expect(sim.stored("x:SystemSettings", "singleton")).toMatchObject({ defaultDomainId: d.id });
        expect(await host.diff("singleton", u.properties, news)).toMatchObject({ changes: "none" });
    });
});

describe("x:AcmeProvider eabKeyId and eabHmacKey: accepted on create, never returned by /get (docs/stalwart-facts.md#get-semantics)", () => {
    const props = { contact: ["postmaster@acme.test"], eabKeyId: "kid-1", eabHmacKey: "hmac-secret-1" };

    it("no replace on an unchanged up, no drift or removal on refresh; a changed key replaces", async () => {
        const c = await create("x:AcmeProvider", props);
        expect(c.requests).toBe(2); // the ids that exist (no natural key), then create + read-back
        expect(c.outs.properties).not.toHaveProperty("eabKeyId");
        expect(JSON.stringify(c.outs)).not.toContain("hmac-secret-1");
        const again = await inputs("x:AcmeProvider", props);
        expect(await host.diff(c.id, c.outs, again)).toMatchObject({ changes: "none", replaces: [] });

        const read = await host.read(c.id, c.outs);
        expect(read.id).toBe(c.id);
        expect(read.inputs?.properties).toEqual({
            contact: { "postmaster@acme.test": true },
            eabKeyId: "kid-1",
            eabHmacKey: "****",
        });
        expect(await host.diff(c.id, read.properties, again)).toMatchObject({ changes: "none", replaces: [] });

        const rotated = await inputs("x:AcmeProvider", { ...props, eabHmacKey: "hmac-secret-2" });
        expect(await host.diff(c.id, read.properties, rotated)).toMatchObject({
            changes: "some",
            replaces: ["properties"],
        });
        const described = await inputs("x:AcmeProvider", {
            ...props,
            contact: ["postmaster@acme.test", "ops@acme.test"],
        });
        expect(await host.diff(c.id, read.properties, described)).toMatchObject({ changes: "some", replaces: [] });
        const u = await host.update(c.id, read.properties, described);
        expect(setCalls().at(-1)![1].update).toEqual({ [c.id]: { "contact/ops@acme.test": true } });
        expect(await host.diff(c.id, u.properties, described)).toMatchObject({ changes: "none" });
    });
});

describe("values in the engine's secret envelope (at any depth)", () => {
    it("check unwraps them; create, diff and update accept them unchecked too", async () => {
        const r = await host.check(
            {},
            {
                objectType: "x:OAuthClient",
                properties: {
                    clientId: "sealed",
                    secret: engineSecret("sealed-secret-1"),
                    redirectUris: [engineSecret("https://a.test/cb")],
                },
                __provider: await provider("x:OAuthClient"),
            },
        );
        expect(r.failures).toEqual([]);
        expect(r.inputs.properties).toEqual({
            clientId: "sealed",
            secret: "sealed-secret-1",
            redirectUris: { "https://a.test/cb": true },
        });
        const c = await host.create(r.inputs);
        expect(sim.stored("x:OAuthClient", c.id)).toMatchObject({
            clientId: "sealed",
            redirectUris: { "https://a.test/cb": true },
        });
        expect(JSON.stringify(c.properties)).not.toContain("sealed-secret-1");

        // as the engine may send them to diff and update: still sealed
        const sealed = {
            ...r.inputs,
            properties: engineSecret({
                ...(r.inputs.properties as PlainObject),
                secret: engineSecret("sealed-secret-1"),
            }),
        };
        expect(await host.diff(c.id, c.properties, sealed)).toMatchObject({ changes: "none" });
        const rotated = {
            ...r.inputs,
            properties: { ...(r.inputs.properties as PlainObject), secret: engineSecret("sealed-secret-2") },
        };
        expect(await host.diff(c.id, c.properties, rotated)).toMatchObject({ changes: "some", replaces: [] });
        sim.resetCounters();
        await host.update(c.id, c.properties, rotated);
        expect(setCalls()[0]![1].update).toEqual({ [c.id]: { secret: "sealed-secret-2" } });

        const direct = await host.create({
            ...r.inputs,
            properties: { clientId: engineSecret("sealed-direct"), secret: engineSecret("sealed-secret-3") },
        });
        expect(sim.stored("x:OAuthClient", direct.id)).toMatchObject({ clientId: "sealed-direct" });
        expect(JSON.stringify(direct.properties)).not.toContain("sealed-secret-3");
    });

    it("a failure names the type expected, never the value inside an envelope or of a secret field", async () => {
        const r = await host.check(
            {},
            {
                objectType: "x:BlobStore",
                properties: {
                    "@type": "S3",
                    bucket: engineSecret(777001),
                    secretKey: { "@type": "Value", secret: 777002 },
                    region: engineSecret({ "@type": "Custom", customEndpoint: 777003 }),
                },
                __provider: await provider("x:BlobStore"),
            },
        );
        expect(r.failures).toEqual(
            expect.arrayContaining([
                { property: "properties.bucket", reason: "expected a string" },
                { property: "properties.secretKey.secret", reason: "expected a string" },
                { property: "properties.region.customEndpoint", reason: "expected a string" },
            ]),
        );
        expect(JSON.stringify(r.failures)).not.toMatch(/77700/);
    });
});

describe("a primaryKeyViolation naming the existing object by existingId only (docs/stalwart-facts.md#set-errors)", () => {
    it("is adopted like one with objectId", async () => {
        const id = await fixture.made("x:Domain", { name: "existing-id.test", dkimManagement: manual });
        sim.faults.setErrorShape = (err) =>
            err.type === "primaryKeyViolation"
                ? { type: err.type, properties: err.properties!, existingId: (err.objectId as { id: string }).id }
                : err;
        try {
            const c = await create("x:Domain", {
                name: "existing-id.test",
                dkimManagement: manual,
                description: "managed",
            });
            expect(c.id).toBe(id);
            expect(c.outs.adopted).toBe(true);
            expect(sim.stored("x:Domain", id)?.description).toBe("managed");
        } finally {
            sim.faults.setErrorShape = undefined;
        }
    });
});
