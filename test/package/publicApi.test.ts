// The package's public face, name by name: a change to what `tailwart` or `tailwart/stalwart`
// exports shows up here and is accepted on purpose (`npx vitest run test/package/publicApi.test.ts -u`).
import { describe, expect, it } from "vitest";
import { publicExports } from "../support/publicApi";

const INTERNALS = [
    "containerArgs",
    "labelsOf",
    "rawConfigFrom",
    "jmapRequest",
    "setErrorMessage",
    "resolveConnection",
    "methodErrorMessage",
    "stalwartProvider",
];

describe("public API", () => {
    const api = publicExports();

    it("lists exactly the committed exports of both entry points", async () => {
        const text = Object.entries(api)
            .map(([subpath, exports]) => [`# ${subpath}`, ...exports.map((e) => `${e.kind} ${e.name}`)].join("\n"))
            .join("\n\n");
        await expect(`${text}\n`).toMatchFileSnapshot("publicApi.snapshot.txt");
    });

    it("exports the components and the config contract from tailwart, the x:* resources from tailwart/stalwart", () => {
        const names = (subpath: string) => api[subpath]!.map((e) => e.name);
        expect(names("tailwart")).toEqual(
            expect.arrayContaining([
                "MailDeployment",
                "TailscaleSidecar",
                "StalwartMailbox",
                "CaddyL4Edge",
                "PlannedContainer",
                "PostgresDatabase",
                "RedisDatabase",
                "GarageBucket",
                "TailnetPolicy",
                "parseSettings",
                "ConfigError",
                "Settings",
                "SettingsInput",
                "buildPlan",
                "Plan",
            ]),
        );
        expect(names("tailwart/stalwart")).toEqual(
            expect.arrayContaining([
                "StalwartObject",
                "StalwartObjectArgs",
                "StalwartConvergence",
                "StalwartConvergenceArgs",
                "StalwartSettings",
                "StalwartSettingsArgs",
                "Domain",
                "Account",
                "NetworkListener",
                "DomainProperties",
            ]),
        );
    });

    it("keeps the internals out of both entry points", () => {
        for (const [subpath, exports] of Object.entries(api)) {
            expect(
                exports.map((e) => e.name).filter((n) => INTERNALS.includes(n)),
                subpath,
            ).toEqual([]);
        }
    });
});
