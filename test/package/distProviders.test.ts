// The dynamic providers as the built package ships them: the shells in dist/ carry the bundles
// `npm run build` wrote (never esbuild at run time), serialize, and run in the SDK's
// dynamic-provider host over gRPC against the Stalwart and Garage simulators.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleOf, prebuiltBundleOf } from "../../components/bundledProvider";
import { PROVIDER_CORES, SOURCE_DIR } from "../../scripts/build";
import { DIST, ensureBuilt } from "../support/built";
import { GarageAdminSimulator } from "../support/garageAdmin";
import { type PlainObject, ProviderHost, serializeProvider } from "../support/providerHost";
import { type StalwartSimulator, startStalwartSimulator } from "../support/stalwart";
import { NO_STALWART_ENV } from "../support/stalwartProviderHost";

type ProviderFactory = () => pulumi.dynamic.ResourceProvider;

/** The three shipping functions, loaded from dist/ (compiled JavaScript, no .ts beside it). */
const fromDist = () => ({
    stalwart: (type: string): pulumi.dynamic.ResourceProvider =>
        require(join(DIST, "stalwart", "provider.js")).stalwartProvider(type),
    convergence: require(join(DIST, "stalwart", "convergence", "index.js"))
        .shippedConvergenceProvider as ProviderFactory,
    garage: require(join(DIST, "backends", "garage", "bucket.js")).shippedBucketGrantProvider as ProviderFactory,
});

let sim: StalwartSimulator;
let garage: GarageAdminSimulator;
let host: ProviderHost;
let dist: ReturnType<typeof fromDist>;

beforeAll(async () => {
    await ensureBuilt();
    dist = fromDist();
    [sim, garage] = await Promise.all([startStalwartSimulator(), GarageAdminSimulator.start()]);
    const [user, password] = sim.adminCredentials.split(":") as [string, string];
    const config = {
        "stalwart:url": sim.url,
        "stalwart:user": user,
        "stalwart:password": password,
        "garage:adminToken": garage.token,
    };
    host = await ProviderHost.start({ config, env: { ...NO_STALWART_ENV, GARAGE_ADMIN_TOKEN: undefined } });
}, 300_000);

afterAll(async () => {
    await host?.stop();
    await Promise.all([sim?.close(), garage?.stop()]);
});

describe("providers from the built package", () => {
    it("each bundle in dist/ is the one the repository bundles from source", () => {
        for (const core of PROVIDER_CORES) {
            expect(readFileSync(prebuiltBundleOf(join(DIST, core)), "utf8").trim(), core).toBe(
                bundleOf(join(SOURCE_DIR, core)),
            );
        }
    });

    it("an x:Domain and the convergence over it run from dist/: created, then verified", async () => {
        const domainProvider = await serializeProvider(dist.stalwart("x:Domain"));
        const checked = await host.check(
            {},
            {
                objectType: "x:Domain",
                properties: { name: "Dist.Example.test", dkimManagement: { "@type": "Manual" } },
                __provider: domainProvider,
            },
        );
        expect(checked.failures).toEqual([]);
        const domain = await host.create(checked.inputs, {
            name: "dist-domain",
            type: "pulumi-nodejs:dynamic/stalwart:Domain",
        });
        expect(sim.stored("x:Domain", domain.id)).toMatchObject({ name: "dist.example.test" });

        const tracked = {
            objectType: "x:Domain",
            objectId: domain.id,
            properties: domain.properties.properties as PlainObject,
        };
        const news = {
            objects: [tracked],
            readiness: { attempts: 3, baseDelayMs: 50, liveTimeoutMs: 10_000 },
            __provider: await serializeProvider(dist.convergence()),
        };
        const convergenceType = { name: "dist-convergence", type: "pulumi-nodejs:dynamic/stalwart:Convergence" };
        expect((await host.check({}, news, convergenceType)).failures).toEqual([]);
        const converged = await host.create(news, convergenceType);
        // a domain is live at once: nothing to reload, and the convergence reads it back as written
        expect(converged.properties).toMatchObject({ reloads: [], restarted: false, verified: 1, pendingRestart: [] });
    });

    it("the Garage bucket grant runs from dist/: bucket, key and grant made", async () => {
        const news = {
            adminEndpoint: garage.url,
            bucket: "dist-bucket",
            keyName: "dist-key",
            permissions: { read: true, write: true, owner: false },
            __provider: await serializeProvider(dist.garage()),
        };
        const target = { name: "dist-bucket", type: "pulumi-nodejs:dynamic/garage:BucketGrant" };
        const checked = await host.check({}, news, target);
        expect(checked.failures).toEqual([]);
        const created = await host.create(checked.inputs, target);
        expect(created.properties).toMatchObject({
            bucket: "dist-bucket",
            keyName: "dist-key",
            permissions: { read: true, write: true, owner: false },
        });
        expect([...garage.buckets.values()].some((b) => b.globalAliases.includes("dist-bucket"))).toBe(true);
    });

    it("making the providers from dist/ never loads esbuild", () => {
        const script = `
            const { join } = require("node:path");
            const dist = ${JSON.stringify(DIST)};
            require(join(dist, "stalwart", "provider.js")).stalwartProvider("x:Domain");
            require(join(dist, "stalwart", "convergence", "index.js")).shippedConvergenceProvider();
            require(join(dist, "backends", "garage", "bucket.js")).shippedBucketGrantProvider();
            require(join(dist, "deploy", "oneInstanceGate", "index.js")).shippedOneInstanceGateProvider();
            require(join(dist, "stalwart", "dnsRecords.js")).shippedDnsRecordsProvider();
            require(join(dist, "stalwart", "passwordHash.js")).shippedPasswordHashProvider();
            console.log(JSON.stringify(Object.keys(require.cache).filter((f) => f.includes("esbuild"))));`;
        const run = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
        expect(run.stderr).toBe("");
        expect(JSON.parse(run.stdout)).toEqual([]);
    });

    it("a core with neither source nor bundle fails naming the missing file and the build", () => {
        const entry = join(DIST, "stalwart", "noSuchCore");
        expect(() => bundleOf(entry)).toThrow(`${entry}.bundle is missing`);
        expect(() => bundleOf(entry)).toThrow(/npm run build/);
    });
});

describe("the build's list of provider cores", () => {
    it("names exactly the entries components hand to the shipping mechanism", () => {
        const files = spawnSync("grep", ["-rlE", 'from "(\\.\\./)+bundledProvider"', SOURCE_DIR], { encoding: "utf8" })
            .stdout.trim()
            .split("\n");
        const entries = files.flatMap((file) =>
            [...readFileSync(file, "utf8").matchAll(/join\(__dirname, "([^"]+)"\)/g)].map((m) =>
                join(file, "..", m[1]!).slice(SOURCE_DIR.length + 1),
            ),
        );
        const hint =
            "a provider core shipped with bundleOf must be listed in PROVIDER_CORES (scripts/build.ts), so npm run build prebuilds its bundle";
        expect(entries.sort(), hint).toEqual([...PROVIDER_CORES].sort());
    });
});
