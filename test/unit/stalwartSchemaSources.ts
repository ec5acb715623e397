/** Locates Stalwart's schema and facts files (../shared/stalwart, outside the project) for the schema tests. */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

export const PROJECT_ROOT = resolve(__dirname, "../..");
export const SCHEMA_FILE = resolve(PROJECT_ROOT, "../shared/stalwart/schema-v0.16.18.json");
export const FACTS_FILE = resolve(PROJECT_ROOT, "../shared/stalwart/objects-v0.16.18.json");
export const SCHEMA_VERSION = "v0.16.18";

export const sourcesPresent = existsSync(SCHEMA_FILE) && existsSync(FACTS_FILE);

/** Said once when the files are missing, so a skipped suite is visible rather than silently green. */
export function reportMissingSources(suite: string): void {
    if (!sourcesPresent) {
        console.warn(`${suite}: skipped, Stalwart schema sources not found at ${SCHEMA_FILE} and ${FACTS_FILE}.`);
    }
}

export const readSource = (file: string): string => readFileSync(file, "utf8");
