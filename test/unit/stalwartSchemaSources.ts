/**
 * The schema tests' inputs. The committed source (schema/stalwart/<version>.json) is in every clone;
 * Stalwart's own schema and facts files are not committed (docs/decisions/011-schema-sources-in-repo.md),
 * so only the test that re-extracts the committed source from them looks for them: in
 * STALWART_UPSTREAM_DIR, else in the directory beside this checkout where the project keeps them.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { SchemaSource } from "../../tools/schema/input";
import { newestSource, PROJECT_ROOT, readSourceFile } from "../../tools/schema/sources";

export { PROJECT_ROOT };
export const SCHEMA_VERSION = "v0.16.18";
/** sha256 of Stalwart v0.16.18's registry schema text, as served at GET /api/schema */
export const SCHEMA_SHA256 = "f4e3aad9f573f7d28f4dcd3c4502f0bb8004ecaba69921fbcd536b7745778ac9";
export const SOURCE_FILE = newestSource();

let cached: SchemaSource | undefined;
/** Parsed once per test file: about half a megabyte of JSON. */
export const committedSource = (): SchemaSource => (cached ??= readSourceFile(SOURCE_FILE));
export const committedSourceText = (): string => readFileSync(SOURCE_FILE, "utf8");

const UPSTREAM_DIR = process.env.STALWART_UPSTREAM_DIR ?? resolve(PROJECT_ROOT, "../shared/stalwart");
export const UPSTREAM_SCHEMA = join(UPSTREAM_DIR, `schema-${SCHEMA_VERSION}.json`);
export const UPSTREAM_FACTS = join(UPSTREAM_DIR, `objects-${SCHEMA_VERSION}.json`);
export const upstreamPresent = existsSync(UPSTREAM_SCHEMA) && existsSync(UPSTREAM_FACTS);
