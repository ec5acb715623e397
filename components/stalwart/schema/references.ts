import type { SchemaDescriptor } from "./types";

/**
 * Schemas and enums a descriptor points at directly. Part of the descriptor contract: the provider's
 * subsets (table.ts) and the generator's walk (tools/schema/buildTable.ts) follow the same references.
 */
export function references(descriptor: SchemaDescriptor): { name: string; enum: boolean }[] {
    if ("variants" in descriptor) {
        return Object.values(descriptor.variants).flatMap((target) => (target ? [{ name: target, enum: false }] : []));
    }
    const refs: { name: string; enum: boolean }[] = [];
    for (const field of Object.values(descriptor.fields)) {
        for (const element of [field, field.element, field.key, field.value]) {
            if (!element) continue;
            if (element.enumName) refs.push({ name: element.enumName, enum: true });
            if ((element.kind === "object" || element.kind === "objectList") && element.objectName)
                refs.push({ name: element.objectName, enum: false });
        }
    }
    return refs;
}
