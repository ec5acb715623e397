import { beforeAll, describe, expect, it } from "vitest";
import { parseSettings } from "../../components/config";
import { stalwartSettingsPlan } from "../../components/plan/stalwartSettings";
import { validRaw } from "../support/stackConfig";
import { defaultState, installMocks, type Registry, resolved, settle, unwrap } from "./harness";

type Mod = typeof import("../../components/stalwart/settings");
let registry: Registry;
let mod: Mod;

beforeAll(async () => {
    registry = await installMocks({
        stack: "dev",
        // what the x:* provider answers: an id per object, the server's view and a content hash
        state: (args) =>
            args.type.startsWith("pulumi-nodejs:dynamic/stalwart:") &&
            args.type !== "pulumi-nodejs:dynamic/stalwart:Convergence"
                ? {
                      objectId: `id-${args.name}`,
                      properties: unwrap(args.inputs.properties).value,
                      contentHash: `hash-${args.name}`,
                  }
                : args.type === "pulumi-nodejs:dynamic/stalwart:Convergence"
                  ? {
                        reloads: ["ReloadSettings"],
                        pendingRestart: [],
                        restarted: true,
                        verified: args.inputs.objects.length,
                        directoryBinding: "",
                    }
                  : defaultState(args),
    });
    mod = await import("../../components/stalwart/settings");
});

describe("StalwartSettings", () => {
    it("creates one object per spec, fills refs with the other objects' ids, and converges over all of them", async () => {
        const specs = stalwartSettingsPlan(parseSettings(validRaw(), "dev"));
        const settings = new mod.StalwartSettings("mail", {
            objects: specs,
            restartCommand: ["docker", "restart", "stalwart"],
            discoverAddress: "postmaster@infinidim.net",
        });
        const ids = await resolved(settings.objectIds);
        expect(Object.keys(ids).sort()).toEqual(specs.map((s) => s.key).sort());
        await resolved(settings.reloads);
        await settle(registry);

        const domain = registry.one("pulumi-nodejs:dynamic/stalwart:Domain");
        expect(unwrap(domain.inputs.properties).value.certificateManagement).toEqual({
            "@type": "Automatic",
            subjectAlternativeNames: { "mail.infinidim.net": true },
            acmeProviderId: "id-mail-acme",
        });
        const system = registry.one("pulumi-nodejs:dynamic/stalwart:SystemSettings");
        expect(unwrap(system.inputs.properties).value.defaultDomainId).toBe("id-mail-domain");
        expect(registry.ofType("pulumi-nodejs:dynamic/stalwart:NetworkListener")).toHaveLength(6);

        const convergence = registry.one("pulumi-nodejs:dynamic/stalwart:Convergence");
        expect(convergence.inputs.restartCommand).toEqual(["docker", "restart", "stalwart"]);
        expect(convergence.inputs.discoverAddress).toBe("postmaster@infinidim.net");
        const tracked = convergence.inputs.objects as any[];
        expect(tracked).toHaveLength(specs.length);
        const trackedDomain = tracked.find((o) => o.objectType === "x:Domain");
        expect(trackedDomain.properties[mod.CONTENT_KEY]).toBe("hash-mail-domain");
        expect(trackedDomain.volatile).toEqual(expect.arrayContaining(["createdAt", "dnsZoneFile"]));
        // it runs after every object it converges
        for (const o of registry.all.filter(
            (r) => r.type.startsWith("pulumi-nodejs:dynamic/stalwart:") && r !== convergence,
        )) {
            expect(convergence.dependencies, o.name).toContain(o.urn);
        }
    });

    it("refuses a ref to an object that is missing or comes later", () => {
        expect(
            () =>
                new mod.StalwartSettings("bad1", {
                    objects: [
                        {
                            key: "a",
                            objectType: "x:SystemSettings",
                            properties: {},
                            refs: { defaultDomainId: "domain" },
                        },
                    ],
                }),
        ).toThrow(/refers to domain, which is not in the list/);
        expect(
            () =>
                new mod.StalwartSettings("bad2", {
                    objects: [
                        {
                            key: "a",
                            objectType: "x:SystemSettings",
                            properties: {},
                            refs: { defaultDomainId: "domain" },
                        },
                        { key: "domain", objectType: "x:Domain", properties: { name: "infinidim.net" } },
                    ],
                }),
        ).toThrow(/comes later; list domain first/);
    });

    it("every object and the convergence are retained on delete unless allowDataLoss (or an explicit retainOnDelete) says otherwise", async () => {
        const specs = stalwartSettingsPlan(parseSettings(validRaw(), "dev"));
        const ours = (prefix: string) =>
            registry.all.filter(
                (r) => r.type.startsWith("pulumi-nodejs:dynamic/stalwart:") && r.name.startsWith(`${prefix}-`),
            );
        const cases: [string, object, boolean][] = [
            ["kept", {}, true],
            ["lossy", { allowDataLoss: true }, false],
            ["forced", { allowDataLoss: true, retainOnDelete: true }, true],
        ];
        for (const [prefix, args, retained] of cases) {
            const settings = new mod.StalwartSettings(prefix, { objects: specs, ...args });
            await resolved(settings.objectIds);
            await settle(registry);
            expect(ours(prefix)).toHaveLength(specs.length + 1);
            for (const r of ours(prefix)) expect(r.retainOnDelete ?? false, `${prefix} ${r.name}`).toBe(retained);
        }
        expect(mod.settingsRetainOnDelete({})).toBe(true);
        expect(mod.settingsRetainOnDelete({ allowDataLoss: true })).toBe(false);
    });

    it("volatileProperties lists server-set and computed properties only", () => {
        expect(mod.volatileProperties("x:Domain")).toEqual(expect.arrayContaining(["createdAt", "dnsZoneFile"]));
        expect(mod.volatileProperties("x:Domain")).not.toContain("name");
        expect(mod.volatileProperties("x:AcmeProvider")).toEqual(
            expect.arrayContaining(["accountKey", "accountUri", "description"]),
        );
    });
});
