// The shipped dynamic providers are shells around one compressed esbuild bundle each: small, and
// carrying no npm module, no builtin captured at module scope and no secret.
import { brotliCompressSync, constants } from "node:zlib";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { shippedBucketGrantProvider } from "../../components/backends/garage/bucket";
import { bundledProvider, bundleOf, pack, PROVIDER_METHODS, unpack } from "../../components/bundledProvider";
import { shippedOneInstanceGateProvider } from "../../components/deploy/oneInstanceGate";
import { shippedConvergenceProvider } from "../../components/stalwart/convergence";
import { providerBundle, stalwartProvider } from "../../components/stalwart/provider";
import { PROJECT_ROOT } from "../support/stackConfig";

const source = unpack;
const requiresOf = (text: string) => [...new Set([...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!))].sort();

describe("bundled providers", () => {
    const shipped = {
        "Garage bucket grant": {
            provider: shippedBucketGrantProvider,
            bundle: () => bundleOf(`${PROJECT_ROOT}/components/backends/garage/provider`),
        },
        "Stalwart convergence": {
            provider: shippedConvergenceProvider,
            bundle: () => bundleOf(`${PROJECT_ROOT}/components/stalwart/convergence/provider`),
        },
        "x:* objects": { provider: undefined, bundle: providerBundle },
    };

    for (const [name, { provider, bundle }] of Object.entries(shipped)) {
        it(`${name}: the bundle requires node builtins only, and no npm module is inlined`, () => {
            const text = source(bundle());
            expect(
                requiresOf(text).every((r) => r.startsWith("node:")),
                requiresOf(text).join(", "),
            ).toBe(true);
            // zod and the Pulumi SDK must never travel inside a provider (decision 007)
            expect(text).not.toMatch(/ZodError|@pulumi\/pulumi|grpc/);
        });
        if (provider) {
            it(`${name}: serializes under 20 KB, capturing only the shell`, async () => {
                const p = provider();
                expect(provider()).toBe(p);
                const { text } = await pulumi.runtime.serializeFunction(() => p, { allowSecrets: true });
                expect(text.length).toBeLessThan(20_000);
                expect(requiresOf(text)).toEqual(["node:zlib"]);
            });
        }
    }

    it("the one-instance gate requires pg inside its methods, never inlines it, and serializes under 20 KB", async () => {
        const text = source(bundleOf(`${PROJECT_ROOT}/components/deploy/oneInstanceGate/provider`));
        expect(requiresOf(text)).toEqual(["pg"]);
        expect(text).not.toMatch(/ZodError|@pulumi\/pulumi|grpc|SCRAM-SHA-256|pg-protocol/);
        // loading the bundle and making the provider loads no npm module: only a method that talks to Postgres does
        const required: string[] = [];
        const module: { exports: Record<string, unknown> } = { exports: {} };
        new Function("exports", "require", "module", text)(module.exports, (id: string) => required.push(id), module);
        const made = (module.exports.oneInstanceGateProvider as () => Record<string, unknown>)();
        expect(Object.keys(made).sort()).toEqual(["check", "configure", "create", "delete", "diff", "read", "update"]);
        expect(required).toEqual([]);
        const shipped = shippedOneInstanceGateProvider();
        const { text: shell } = await pulumi.runtime.serializeFunction(() => shipped, { allowSecrets: true });
        expect(shell.length).toBeLessThan(20_000);
        expect(requiresOf(shell)).toEqual(["node:zlib"]);
    });

    it("the Garage provider reads its admin token at call time; none is baked into the bundle", () => {
        expect(source(bundleOf(`${PROJECT_ROOT}/components/backends/garage/provider`))).toContain("GARAGE_ADMIN_TOKEN");
    });

    it("one mechanism: every provider core's factory returns all seven methods, and every shell defines them", async () => {
        const { bucketGrantProvider } = await import("../../components/backends/garage/provider");
        const { convergenceProvider } = await import("../../components/stalwart/convergence/provider");
        const { makeProvider } = await import("../../components/stalwart/providerCore");
        const cores = [bucketGrantProvider(), convergenceProvider(), makeProvider("x:Tracer", "", [], false)];
        for (const core of cores)
            expect(PROVIDER_METHODS.filter((m) => typeof (core as Record<string, unknown>)[m] !== "function")).toEqual(
                [],
            );
        for (const shell of [
            shippedBucketGrantProvider(),
            shippedConvergenceProvider(),
            stalwartProvider("x:Tracer"),
        ]) {
            expect(Object.keys(shell).sort()).toEqual([...PROVIDER_METHODS].sort());
        }
        const onlyCheck = bundledProvider(
            bundleOf(`${PROJECT_ROOT}/components/backends/garage/provider`),
            "bucketGrantProvider",
            [],
            ["check"],
        );
        expect(Object.keys(onlyCheck)).toEqual(["check"]);
    });

    it("builds the real provider from the bundle on first call, calling a factory export with the arguments", async () => {
        const shell = bundledProvider(providerBundle(), "makeProvider", ["x:Tracer", "", [], false], ["diff"]);
        // diff with a changed objectType needs no schema and no server
        const d = await shell.diff!("t", { objectType: "x:Tracer", properties: {} }, { objectType: "x:Domain" });
        expect(d.replaces).toContain("objectType");
    });

    it("packs a bundle as brotli + Z85, which unpacks to the same text, shorter than base64 and safe in a JSON string", () => {
        for (const text of ["", "x", "ab", "abc", "abcd", "module.exports = { a: 1 };".repeat(50)]) {
            const packed = pack(text);
            expect(unpack(packed)).toBe(text);
            expect(JSON.stringify(packed)).toBe(`"${packed}"`);
        }
        const code = bundleOf(`${PROJECT_ROOT}/components/stalwart/convergence/provider`);
        const base64 = brotliCompressSync(Buffer.from(unpack(code)), {
            params: { [constants.BROTLI_PARAM_QUALITY]: 11 },
        }).toString("base64");
        expect(code.length).toBeLessThan(base64.length * 0.95);
    });
});
