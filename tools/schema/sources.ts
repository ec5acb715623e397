/** Where the committed schema sources live (schema/stalwart/<version>.json) and how they are read. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseSource, type SchemaSource } from "./input";

export const PROJECT_ROOT = resolve(__dirname, "../..");
export const SOURCE_DIR = "schema/stalwart";

const SOURCE_FILE = /^v(\d+)\.(\d+)\.(\d+)\.json$/;

export const sourcePath = (version: string, root = PROJECT_ROOT): string => join(root, SOURCE_DIR, `${version}.json`);

/** The committed source of the newest Stalwart release in schema/stalwart/ (the one the generator uses by default). */
export function newestSource(root = PROJECT_ROOT): string {
    const dir = join(root, SOURCE_DIR);
    const versions = (existsSync(dir) ? readdirSync(dir) : [])
        .map((file) => SOURCE_FILE.exec(file))
        .filter((match): match is RegExpExecArray => match !== null)
        .map((match) => ({ file: match[0], parts: match.slice(1, 4).map(Number) }))
        .sort((a, b) => a.parts.reduce((order, part, i) => order || part - b.parts[i]!, 0));
    const newest = versions.at(-1);
    if (!newest) {
        throw new Error(
            `No committed schema source in ${SOURCE_DIR}/ (vX.Y.Z.json). Extract one: ` +
                "`npm run generate:schema -- --extract --schema <schema-vX.Y.Z.json> --facts <objects-vX.Y.Z.json>`.",
        );
    }
    return join(dir, newest.file);
}

export function readSourceFile(file: string): SchemaSource {
    const where = relative(process.cwd(), file) || file;
    let value: unknown;
    try {
        value = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
        throw new Error(`Cannot read the schema source ${where}: ${(error as Error).message}`, { cause: error });
    }
    return parseSource(value, where);
}
