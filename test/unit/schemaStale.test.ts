// The staleness gate: the committed generated files are what the generator makes of the committed
// source, in every clone (the source is in the repo, docs/decisions/011-schema-sources-in-repo.md).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXCLUDED_OBJECTS } from "../../components/stalwart/generated/excluded";
import { TABLE } from "../../components/stalwart/schema/table";
import { EXCLUDED_OBJECTS as TOOL_EXCLUSIONS } from "../../tools/schema/exclusions";
import { generate } from "../../tools/schema/generate";
import { committedSource, PROJECT_ROOT, SCHEMA_VERSION, SOURCE_FILE } from "./stalwartSchemaSources";

describe("committed generated schema files", () => {
    it("match a fresh generation from the committed source (else run `npm run generate:schema`)", () => {
        const files = generate(committedSource());
        const stale = Object.entries(files)
            .filter(([path, content]) => {
                const committed = join(PROJECT_ROOT, path);
                return !existsSync(committed) || readFileSync(committed, "utf8") !== content;
            })
            .map(([path]) => path);
        expect(stale, `stale generated files; run \`npm run generate:schema\`: ${stale.join(", ")}`).toEqual([]);
        expect(Object.keys(files).length).toBeGreaterThanOrEqual(6);
    });

    it("come from the newest committed source, whose version the run-time table carries", () => {
        expect(SOURCE_FILE).toBe(join(PROJECT_ROOT, "schema", "stalwart", `${SCHEMA_VERSION}.json`));
        expect(TABLE.source).toEqual(committedSource().source);
    });

    it("hold the run-time exclusion list the tool keeps, for every object the schema has", () => {
        const inSchema = Object.keys(TOOL_EXCLUSIONS).filter((name) => name in TABLE.objects);
        expect(EXCLUDED_OBJECTS).toEqual(Object.fromEntries(inSchema.map((name) => [name, TOOL_EXCLUSIONS[name]])));
        expect(inSchema.length).toBe(Object.keys(TOOL_EXCLUSIONS).length);
    });
});
