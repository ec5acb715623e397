// StalwartObject at construction: type validation, URN type, secret marking, outputs under mocks.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";

const registered: { type: string; name: string; inputs: Record<string, unknown> }[] = [];
let mod: typeof import("../../components/stalwart");
// internals the public entry point does not export
let objectModule: typeof import("../../components/stalwart/object");
let table: typeof import("../../components/stalwart/schema/table");

beforeAll(async () => {
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                registered.push({ type: args.type, name: args.name, inputs: args.inputs });
                return {
                    id: `${args.name}-id`,
                    state: { ...args.inputs, objectId: `${args.name}-id`, contentHash: "h", changedProperties: [] },
                };
            },
            call: () => ({}),
        },
        "tailwart",
        "test",
        false,
    );
    mod = await import("../../components/stalwart");
    objectModule = await import("../../components/stalwart/object");
    table = await import("../../components/stalwart/schema/table");
});

const resolved = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));

describe("StalwartObject", () => {
    it("rejects unknown types with close matches and unmanageable ones with the reason", () => {
        expect(() => new mod.StalwartObject("d", { objectType: "x:Domian", properties: {} })).toThrow(
            /Did you mean "x:Domain"/,
        );
        expect(() => new mod.StalwartObject("a", { objectType: "x:Action", properties: {} })).toThrow(
            /cannot be managed as a StalwartObject: create-only command/,
        );
    });

    it("registers pulumi-nodejs:dynamic/stalwart:<Type> with a serialized provider, outputs declared", async () => {
        const d = new mod.StalwartObject("primary", { objectType: "x:Domain", properties: { name: "example.test" } });
        expect(await resolved(d.objectId)).toBe("primary-id");
        expect(await resolved(d.contentHash)).toBe("h");
        const r = registered.find((x) => x.name === "primary")!;
        expect(r.type).toBe("pulumi-nodejs:dynamic/stalwart:Domain");
        expect(r.inputs.__provider).toMatch(/^exports\.handler = /);
        expect(r.inputs.properties).toEqual({ name: "example.test" });
    });

    it("marks secret-bearing properties secret before they reach the engine", async () => {
        expect([...objectModule.secretProperties("x:BlobStore")].sort()).toEqual(
            expect.arrayContaining(["secretKey", "securityToken", "sessionToken"]),
        );
        expect(objectModule.secretProperties("x:Domain").size).toBe(0);
        const c = new mod.StalwartObject("oauth", {
            objectType: "x:OAuthClient",
            properties: { clientId: "webmail", secret: "s3cret" },
        });
        // The mock echoes inputs as state: the secret marking travels with the value, the plain Domain's does not.
        expect(await pulumi.isSecret(c.properties)).toBe(true);
        const d = new mod.StalwartObject("plain", { objectType: "x:Domain", properties: { name: "plain.test" } });
        expect(await pulumi.isSecret(d.properties)).toBe(false);
        const typed = new mod.OAuthClient("typed", { clientId: "webmail2" }, { adopt: false });
        expect(await resolved(typed.objectId)).toBe("typed-id");
        expect(registered.find((x) => x.name === "typed")!.inputs.adopt).toBe(false);
    });

    it("typed classes of account-scoped objects take accountId and hand it to the provider; others refuse it", async () => {
        await Promise.all(
            [
                new mod.ApiKey("ci-key", { description: "ci" }, { accountId: "c" }),
                new mod.AppPassword("phone", { description: "phone" }, { accountId: "c", adopt: false }),
                new mod.AccountSettings("alice-settings", { locale: "en_US" }, { accountId: "c" }),
                // x:PublicKey names its account in a property too: that is the request's accountId unless one is given
                new mod.PublicKey("pgp", {
                    accountId: "d",
                    description: "pgp",
                    key: "-----BEGIN PGP PUBLIC KEY BLOCK-----",
                }),
                new mod.StalwartObject("plain-domain", { objectType: "x:Domain", properties: { name: "scoped.test" } }),
            ].map((r) => resolved(r.objectId)),
        );
        const key = registered.find((x) => x.name === "ci-key")!;
        expect(key.type).toBe("pulumi-nodejs:dynamic/stalwart:ApiKey");
        expect(key.inputs.accountId).toBe("c");
        expect(registered.find((x) => x.name === "phone")!.inputs).toMatchObject({ accountId: "c", adopt: false });
        expect(registered.find((x) => x.name === "alice-settings")!.inputs.accountId).toBe("c");
        expect(registered.find((x) => x.name === "pgp")!.inputs.accountId).toBe("d");
        expect(registered.find((x) => x.name === "plain-domain")!.inputs.accountId).toBeUndefined();
        expect(
            () =>
                new mod.StalwartObject("bad", {
                    objectType: "x:Domain",
                    properties: { name: "bad.test" },
                    accountId: "c",
                }),
        ).toThrow(/x:Domain is not account-scoped/);
    });

    it("the tracked form StalwartConvergence gets carries the accountId, the content hash and the volatile properties", async () => {
        const key = new mod.ApiKey("tracked-key", { description: "ci" }, { accountId: "c" });
        expect(await resolved(key.accountId)).toBe("c");
        const tracked = await resolved(key.tracked);
        expect(tracked).toMatchObject({
            objectType: "x:ApiKey",
            objectId: "tracked-key-id",
            accountId: "c",
            properties: { description: "ci", [objectModule.TRACKED_CONTENT_KEY]: "h" },
        });
        expect(tracked.volatile).toEqual(table.volatileProperties("x:ApiKey"));
        expect(tracked.volatile).toEqual(expect.arrayContaining(["createdAt", "secret"]));
        const domain = await resolved(
            new mod.StalwartObject("tracked-domain", { objectType: "x:Domain", properties: { name: "t.test" } })
                .tracked,
        );
        expect(domain).not.toHaveProperty("accountId");
    });

    it("tailwart/stalwart exports the convergence resource and the settings component with their argument types", async () => {
        const convergence = await import("../../components/stalwart/convergence");
        const settings = await import("../../components/stalwart/settings");
        expect(mod.StalwartConvergence).toBe(convergence.StalwartConvergence);
        expect(mod.StalwartSettings).toBe(settings.StalwartSettings);
        expect(settings.CONTENT_KEY).toBe(objectModule.TRACKED_CONTENT_KEY);
        const args: import("../../components/stalwart").StalwartConvergenceArgs = {
            objects: [],
            discoverAddress: "a@b.test",
        };
        const settingsArgs: import("../../components/stalwart").StalwartSettingsArgs = { objects: [] };
        const tracked: import("../../components/stalwart").TrackedObject = {
            objectType: "x:ApiKey",
            objectId: "b",
            accountId: "c",
            properties: {},
        };
        expect([args.objects, settingsArgs.objects, tracked.accountId]).toEqual([[], [], "c"]);
    });
});
