// StalwartObject at construction: type validation, URN type, secret marking, outputs under mocks.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";

const registered: { type: string; name: string; inputs: any }[] = [];
let mod: typeof import("../../components/stalwart");

beforeAll(async () => {
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                registered.push({ type: args.type, name: args.name, inputs: args.inputs });
                return { id: `${args.name}-id`, state: { ...args.inputs, objectId: `${args.name}-id`, contentHash: "h", changedProperties: [] } };
            },
            call: () => ({}),
        },
        "tailwart",
        "test",
        false,
    );
    mod = await import("../../components/stalwart");
});

const resolved = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));

describe("StalwartObject", () => {
    it("rejects unknown types with close matches and unmanageable ones with the reason", () => {
        expect(() => new mod.StalwartObject("d", { objectType: "x:Domian", properties: {} })).toThrow(/Did you mean "x:Domain"/);
        expect(() => new mod.StalwartObject("a", { objectType: "x:Action", properties: {} })).toThrow(/cannot be managed as a StalwartObject: create-only command/);
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
        expect([...mod.secretProperties("x:BlobStore")].sort()).toEqual(expect.arrayContaining(["secretKey", "securityToken", "sessionToken"]));
        expect(mod.secretProperties("x:Domain").size).toBe(0);
        const c = new mod.StalwartObject("oauth", { objectType: "x:OAuthClient", properties: { clientId: "webmail", secret: "s3cret" } });
        // The mock echoes inputs as state: the secret marking travels with the value, the plain Domain's does not.
        expect(await pulumi.isSecret(c.properties)).toBe(true);
        const d = new mod.StalwartObject("plain", { objectType: "x:Domain", properties: { name: "plain.test" } });
        expect(await pulumi.isSecret(d.properties)).toBe(false);
        const typed = new mod.OAuthClient("typed", { clientId: "webmail2" }, { adopt: false });
        expect(await resolved(typed.objectId)).toBe("typed-id");
        expect(registered.find((x) => x.name === "typed")!.inputs.adopt).toBe(false);
    });
});
