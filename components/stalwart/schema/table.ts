/**
 * The generated schema table and the per-object subsets a provider captures. The table is read
 * from disk rather than imported so the compiler does not infer a type for 300 KB of JSON.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { references } from "./references";
import {
    isVariantSchema,
    type ObjectDescriptor,
    type ObjectSchemaSubset,
    type SchemaDescriptor,
    type SchemaTable,
} from "./types";

export const TABLE_PATH = join(__dirname, "..", "generated", "table.json");

function loadTable(): SchemaTable {
    const table = JSON.parse(readFileSync(TABLE_PATH, "utf8")) as SchemaTable;
    if (!table?.source?.version || !table.objects || !table.schemas || !table.enums) {
        throw new Error(`${TABLE_PATH} is not a generated SchemaTable; run \`npm run generate:schema\`.`);
    }
    return table;
}

export const TABLE: SchemaTable = loadTable();

function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(
                previous[j]! + 1,
                current[j - 1]! + 1,
                previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
            );
        }
        previous = current;
    }
    return previous[b.length]!;
}

/** Up to three known types that look like `wanted` (case, a missing "x:", typos, substrings). */
export function closeMatches(wanted: string, known: string[]): string[] {
    const normalize = (name: string) => name.replace(/^x:/i, "").toLowerCase();
    const target = normalize(wanted);
    return known
        .map((name) => {
            const candidate = normalize(name);
            const distance = editDistance(target, candidate);
            const related = target.length >= 3 && (candidate.includes(target) || target.includes(candidate));
            return { name, score: related ? Math.min(distance, 1) : distance };
        })
        .filter(({ score }) => score <= Math.max(2, Math.floor(target.length / 4)))
        .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
        .slice(0, 3)
        .map(({ name }) => name);
}

export function objectDescriptor(objectType: string, table: SchemaTable = TABLE): ObjectDescriptor {
    const descriptor = table.objects[objectType];
    if (descriptor) return descriptor;
    const suggestions = closeMatches(objectType, Object.keys(table.objects));
    const hint = suggestions.length ? ` Did you mean ${suggestions.map((s) => `"${s}"`).join(" or ")}?` : "";
    throw new Error(
        `Unknown Stalwart object type "${objectType}" (schema ${table.source.version}).${hint} ` +
            'Object types are x:* names such as "x:Domain"; the full list is in components/stalwart/generated/table.json.',
    );
}

/** The object's descriptor plus every schema and enum reachable from its schema (the provider's capture). */
export function subsetFor(objectType: string, table: SchemaTable = TABLE): ObjectSchemaSubset {
    const object = objectDescriptor(objectType, table);
    const schemas: Record<string, SchemaDescriptor> = {};
    const enums: Record<string, string[]> = {};
    const pending = [object.schema];
    for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
        if (name in schemas) continue;
        const descriptor = table.schemas[name];
        if (!descriptor)
            throw new Error(
                `Schema table ${table.source.version} references schema ${name} but does not define it; run \`npm run generate:schema\`.`,
            );
        schemas[name] = descriptor;
        for (const ref of references(descriptor)) {
            if (!ref.enum) pending.push(ref.name);
            else if (!(ref.name in enums)) {
                const values = table.enums[ref.name];
                if (!values)
                    throw new Error(
                        `Schema table ${table.source.version} references enum ${ref.name} but does not define it; run \`npm run generate:schema\`.`,
                    );
                enums[ref.name] = values;
            }
        }
    }
    return { source: table.source, object, schemas: sortKeys(schemas), enums: sortKeys(enums) };
}

/**
 * The top-level properties the server sets or computes itself (serverSet in any variant, and
 * computedOnGet): they may change without a write, so convergence never compares them.
 */
export function volatileProperties(objectType: string, table: SchemaTable = TABLE): string[] {
    const object = table.objects[objectType];
    const root = object && table.schemas[object.schema];
    if (!root) return [];
    const fieldSets = isVariantSchema(root)
        ? Object.values(root.variants).flatMap((v) => {
              const s = v ? table.schemas[v] : undefined;
              return s && !isVariantSchema(s) ? [s.fields] : [];
          })
        : [root.fields];
    const names = new Set<string>(object.computedOnGet);
    for (const fields of fieldSets)
        for (const [k, f] of Object.entries(fields)) if (f.update === "serverSet") names.add(k);
    return [...names].sort();
}

const sortKeys = <T>(record: Record<string, T>): Record<string, T> =>
    Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
