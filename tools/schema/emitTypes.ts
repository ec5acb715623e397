/**
 * SchemaTable → TypeScript source: generated/types.ts (property types) and generated/classes.ts
 * (one thin StalwartObject subclass per manageable object). Only names, types, defaults and
 * update modes are emitted; meanings are left to https://stalw.art/docs.
 */
import type {
    ElementDescriptor,
    FieldDescriptor,
    SchemaDescriptor,
    SchemaTable,
} from "../../components/stalwart/schema/types";

/** Names a class must not take: JS/TS/Node globals and this package's own exports. */
const RESERVED_NAMES = new Set([
    "Array",
    "Blob",
    "Boolean",
    "Buffer",
    "Cache",
    "Crypto",
    "Date",
    "Duration",
    "Error",
    "Event",
    "EventTarget",
    "File",
    "FormData",
    "Function",
    "Headers",
    "Inputs",
    "Intl",
    "Iterator",
    "JSON",
    "Map",
    "Math",
    "Number",
    "Object",
    "Omit",
    "Partial",
    "Performance",
    "Pick",
    "Promise",
    "Proxy",
    "Readonly",
    "Record",
    "Reflect",
    "RegExp",
    "Request",
    "Required",
    "Response",
    "Set",
    "StalwartObject",
    "StalwartObjectArgs",
    "StalwartObjectOptions",
    "AccountScopedObjectOptions",
    "Storage",
    "String",
    "Symbol",
    "URL",
    "WebSocket",
    "Worker",
]);

export interface TypeNames {
    classes: Map<string, string>;
    schemas: Map<string, string>;
    enums: Map<string, string>;
}

const bare = (name: string) => name.replace(/^x:/, "");

/** Deterministic, clash-free identifiers: classes first, then object property types, schemas, enums. */
export function assignNames(table: SchemaTable, classObjects: string[]): TypeNames {
    const taken = new Set(RESERVED_NAMES);
    const claim = (preferred: string, fallbackSuffix: string) => {
        let name = taken.has(preferred) ? `${preferred}${fallbackSuffix}` : preferred;
        for (let n = 2; taken.has(name); n++) name = `${preferred}${fallbackSuffix}${n}`;
        taken.add(name);
        return name;
    };
    const names: TypeNames = { classes: new Map(), schemas: new Map(), enums: new Map() };
    for (const object of [...classObjects].sort()) {
        const base = bare(object);
        names.classes.set(object, claim(RESERVED_NAMES.has(base) ? `Stalwart${base}` : base, "Object"));
    }
    for (const object of Object.keys(table.objects).sort())
        names.schemas.set(table.objects[object]!.schema, claim(`${bare(object)}Properties`, "Schema"));
    for (const schema of Object.keys(table.schemas).sort())
        if (!names.schemas.has(schema)) names.schemas.set(schema, claim(bare(schema), "Schema"));
    for (const enumName of Object.keys(table.enums).sort()) names.enums.set(enumName, claim(bare(enumName), "Enum"));
    return names;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const propertyKey = (key: string) => (IDENTIFIER.test(key) ? key : JSON.stringify(key));
const needsParens = (type: string) => /[|&]/.test(type);

function elementType(element: ElementDescriptor, names: TypeNames): string {
    switch (element.kind) {
        case "number":
            return element.format === "duration" ? "Duration" : "number";
        case "boolean":
            return "boolean";
        case "enum":
            return names.enums.get(element.enumName!) ?? "string";
        case "object":
            return names.schemas.get(element.objectName!) ?? "Record<string, unknown>";
        default: // string, objectId, blobId, utcDateTime travel as strings
            return "string";
    }
}

function fieldType(field: FieldDescriptor, names: TypeNames): string {
    let type: string;
    if (field.kind === "set" && field.element) {
        const item = elementType(field.element, names);
        type = `Record<string, true> | ${needsParens(item) ? `(${item})` : item}[]`;
    } else if (field.kind === "objectList" && field.element) {
        const item = elementType(field.element, names);
        type = `${item}[] | Record<string, ${item}>`;
    } else if (field.kind === "map" && field.key && field.value) {
        const value = elementType(field.value, names);
        type =
            field.key.kind === "enum"
                ? `Partial<Record<${elementType(field.key, names)}, ${value}>>`
                : `Record<string, ${value}>`;
    } else {
        type = elementType(field, names);
    }
    return field.nullable ? `${type} | null` : type;
}

/** Short non-descriptive facts for editors: create-only, enterprise, the server default. */
function fieldDoc(field: FieldDescriptor): string | undefined {
    const notes: string[] = [];
    if (field.update === "immutable") notes.push("create-only");
    if (field.enterprise) notes.push("enterprise");
    if (field.default !== undefined) notes.push(`default ${JSON.stringify(field.default)}`);
    return notes.length ? `/** ${notes.join("; ").replaceAll("*/", "*\\/")} */` : undefined;
}

function schemaSource(name: string, descriptor: SchemaDescriptor, names: TypeNames): string {
    const typeName = names.schemas.get(name)!;
    const header = `/** ${name} — https://stalw.art/docs */\n`;
    if ("variants" in descriptor) {
        const arms = Object.entries(descriptor.variants)
            .sort(([a], [b]) =>
                a === descriptor.defaultVariant ? -1 : b === descriptor.defaultVariant ? 1 : a.localeCompare(b),
            )
            .map(([variant, target]) => {
                const tag = `{ "@type": ${JSON.stringify(variant)} }`;
                return target ? `    | (${tag} & ${names.schemas.get(target)})` : `    | ${tag}`;
            });
        return `${header}export type ${typeName} =\n${arms.join("\n")};\n`;
    }
    const lines = Object.entries(descriptor.fields)
        .filter(([, field]) => field.update !== "serverSet")
        .sort(([a], [b]) => a.localeCompare(b))
        .flatMap(([property, field]) => {
            const doc = fieldDoc(field);
            const line = `    ${propertyKey(property)}${field.mustProvide ? "" : "?"}: ${fieldType(field, names)};`;
            return doc ? [`    ${doc}`, line] : [line];
        });
    return `${header}export interface ${typeName} {\n${lines.join("\n")}${lines.length ? "\n" : ""}}\n`;
}

export function emitTypes(table: SchemaTable, names: TypeNames, header: string): string {
    const parts = [
        header,
        'import type * as pulumi from "@pulumi/pulumi";\n',
        '/** Durations: integer milliseconds, or a number with a unit ("30s", "5m", "1d"). */',
        // a TypeScript template literal type, written out as text
        'export type Duration = number | `${number}${"ms" | "s" | "m" | "h" | "d"}`;\n',
        "/** Every top-level property may be a Pulumi input; distributes over variant unions. */",
        "export type Inputs<T> = T extends unknown ? { [K in keyof T]: pulumi.Input<T[K]> } : never;\n",
    ];
    for (const enumName of [...names.enums.keys()].sort()) {
        const values = table.enums[enumName]!.map((v) => JSON.stringify(v)).join(" | ");
        parts.push(`export type ${names.enums.get(enumName)} = ${values || "never"};\n`);
    }
    for (const schema of [...names.schemas.keys()].sort())
        parts.push(schemaSource(schema, table.schemas[schema]!, names));
    return parts.join("\n");
}

/**
 * One class per manageable object. Account-scoped objects (tools/schema/accountScope.ts: they live
 * in the account a JMAP request's accountId names) take `accountId` in their options and hand it
 * to StalwartObject.
 */
export function emitClasses(
    table: SchemaTable,
    names: TypeNames,
    header: string,
    accountScoped: readonly string[],
): string {
    const classes = [...names.classes.entries()].sort(([a], [b]) => a.localeCompare(b));
    const typeImports = [
        "Inputs",
        ...classes.map(([object]) => names.schemas.get(table.objects[object]!.schema)!),
    ].sort();
    const scoped = (object: string) => accountScoped.includes(object);
    const objectImports = [
        ...(classes.some(([object]) => scoped(object)) ? ["type AccountScopedObjectOptions"] : []),
        "StalwartObject",
        ...(classes.some(([object]) => !scoped(object)) ? ["type StalwartObjectOptions"] : []),
    ];
    const parts = [
        header,
        `import { ${objectImports.join(", ")} } from "../object";`,
        `import type {\n${typeImports.map((t) => `    ${t},`).join("\n")}\n} from "./types";\n`,
    ];
    for (const [object, className] of classes) {
        const descriptor = table.objects[object]!;
        const key = descriptor.naturalKeyComposite ? descriptor.naturalKeyComposite.join(" + ") : descriptor.naturalKey;
        const facts = [
            descriptor.kind,
            key ? `natural key ${key}` : undefined,
            scoped(object) ? "account-scoped: opts.accountId names the account" : undefined,
        ]
            .filter(Boolean)
            .join(", ");
        const options = scoped(object) ? "AccountScopedObjectOptions" : "StalwartObjectOptions";
        const account = scoped(object) ? " accountId: opts?.accountId," : "";
        parts.push(
            `/** ${object} (${facts}) — https://stalw.art/docs */\n` +
                `export class ${className} extends StalwartObject {\n` +
                `    constructor(name: string, properties: Inputs<${names.schemas.get(descriptor.schema)}>, opts?: ${options}) {\n` +
                `        super(name, { objectType: ${JSON.stringify(object)}, properties,${account} adopt: opts?.adopt, providerVersion: opts?.providerVersion }, opts);\n` +
                "    }\n}\n",
        );
    }
    return parts.join("\n");
}
