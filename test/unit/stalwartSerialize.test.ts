// Every manageable x:* type's provider must survive Pulumi's closure serialization (it runs in the
// dynamic-provider host, not here) and stay small: each captures only its own deflated schema subset.
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { EXCLUDED_OBJECTS } from "../../components/stalwart/generated/excluded";
import { stalwartProvider } from "../../components/stalwart/provider";
import { TABLE } from "../../components/stalwart/schema/table";

const manageable = Object.keys(TABLE.objects)
    .filter((t) => !(t in EXCLUDED_OBJECTS))
    .sort();

describe("x:* provider serialization", () => {
    it("serializes every manageable object type's provider under 20 KB", async () => {
        const sizes: [string, number][] = [];
        for (const type of manageable) {
            const provider = stalwartProvider(type);
            const { text } = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
            // A captured npm module or zod would show up as a require of it; only node:zlib (inside a method) may appear.
            const requires = [...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
            expect(
                requires.every((r) => r === "node:zlib"),
                `${type} requires ${requires.join(", ")}`,
            ).toBe(true);
            sizes.push([type, text.length]);
        }
        sizes.sort((a, b) => a[1] - b[1]);
        const max = sizes[sizes.length - 1]!;
        const median = sizes[Math.floor(sizes.length / 2)]!;
        console.log(
            `serialized x:* providers: ${sizes.length} types, max ${max[1]} B (${max[0]}), median ${median[1]} B (${median[0]})`,
        );
        expect(sizes.length).toBeGreaterThan(90);
        for (const [type, size] of sizes) expect(size, type).toBeLessThan(20_000);
    });

    it("caches one provider per type and rejects unknown types with close matches", () => {
        expect(stalwartProvider("x:Domain")).toBe(stalwartProvider("x:Domain"));
        expect(stalwartProvider("x:Domain")).not.toBe(stalwartProvider("x:Tracer"));
        expect(() => stalwartProvider("x:Domian")).toThrow(/x:Domain/);
    });
});
