import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generate } from "../../components/stalwart/schema/generate";
import { FACTS_FILE, PROJECT_ROOT, readSource, reportMissingSources, SCHEMA_FILE, SCHEMA_VERSION, sourcesPresent } from "./stalwartSchemaSources";

reportMissingSources("schemaStale");

describe("committed generated schema files", () => {
    it.skipIf(!sourcesPresent)("match a fresh generation from ../shared/stalwart (else run `npm run generate:schema`)", () => {
        const files = generate(readSource(SCHEMA_FILE), readSource(FACTS_FILE), SCHEMA_VERSION);
        const stale = Object.entries(files)
            .filter(([path, content]) => {
                const committed = join(PROJECT_ROOT, path);
                return !existsSync(committed) || readFileSync(committed, "utf8") !== content;
            })
            .map(([path]) => path);
        expect(stale, `stale generated files; run \`npm run generate:schema\`: ${stale.join(", ")}`).toEqual([]);
        expect(Object.keys(files).length).toBeGreaterThanOrEqual(5);
    });
});
