import { describe, expect, it } from "vitest";
import { bucketGrantProvider } from "../../components/backends/garage/provider";
import { serializeProvider } from "../support/providerHost";

describe("Garage BucketGrant provider serialization", () => {
    it("serializes to small, self-contained text (no npm modules, no node builtins)", async () => {
        const started = Date.now();
        const text = await serializeProvider(bucketGrantProvider);
        console.log(`garage provider: ${text.length} B serialized in ${Date.now() - started} ms`);
        expect(text).toContain("exports.handler");
        expect(text.length).toBeLessThan(30_000);
        // Everything is captured by value: no require() of zod, @pulumi/* or node builtins.
        expect(text).not.toMatch(/require\(/);
        // The token is read at call time and never baked into the text.
        expect(text).toContain("GARAGE_ADMIN_TOKEN");
    });
});
