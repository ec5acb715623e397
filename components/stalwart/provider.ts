/**
 * What the x:* provider ships per object type: the one shipping mechanism
 * (components/bundledProvider.ts) around the provider core providerCore.ts, with the object type and
 * its compressed schema subset as the factory's arguments.
 */
import { join } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { bundleOf, compress, shipProvider } from "../bundledProvider";
import { ACCOUNT_SCOPED, LOWERCASE_PROPERTIES } from "./objectProvider/facts";
import { subsetFor } from "./schema/table";
import type { ObjectSchemaSubset } from "./schema/types";

export {
    ACCOUNT_SCOPED,
    defaultProviderVersion,
    LOWERCASE_PROPERTIES,
    PROVIDER_CODE_VERSION,
} from "./objectProvider/facts";

/**
 * Compressed size allowed for a subset, so code (~13.6 KB packed) + subset + shell stays under
 * 20 KB; x:DnsServer, whose size is its 70 variants rather than an enum, is the largest at ~19.8 KB.
 */
export const SUBSET_BUDGET = 2_800;

/** Enums this large are what an over-budget subset leaves out (Permission, EventType, TimeZone, Locale, MetricType). */
const LARGE_ENUM = 100;

/**
 * Brotli-compressed JSON, base64. Over budget (x:Account: Permission, TimeZone, Locale;
 * x:AccountSettings: TimeZone; x:Role, x:ApiKey, x:AppPassword, x:Tenant: Permission; x:Tracer,
 * x:WebHook, x:EventTracingLevel: EventType; x:Metrics: MetricType) the largest enums are left out:
 * check() then leaves those values to the server, whose invalidPatch names the property.
 */
export function packSubset(subset: ObjectSchemaSubset): string {
    const enums = { ...subset.enums };
    for (;;) {
        const packed = compress(JSON.stringify({ ...subset, enums }));
        const largest = Object.keys(enums)
            .filter((e) => enums[e]!.length >= LARGE_ENUM)
            .sort((a, b) => enums[b]!.length - enums[a]!.length)[0];
        if (packed.length <= SUBSET_BUDGET || largest === undefined) return packed;
        delete enums[largest];
    }
}

const CORE = join(__dirname, "providerCore");

/** providerCore.ts and what it imports, bundled and compressed: shared by every type's provider. */
export const providerBundle = (): string => bundleOf(CORE);

const packed = new Map<string, string>();

/** The cached provider for one x:* object type (throws for an unknown type, with close matches). */
export function stalwartProvider(objectType: string): pulumi.dynamic.ResourceProvider {
    let subset = packed.get(objectType);
    if (subset === undefined) {
        subset = packSubset(subsetFor(objectType));
        packed.set(objectType, subset);
    }
    return shipProvider(CORE, "makeProvider", [
        objectType,
        subset,
        LOWERCASE_PROPERTIES[objectType] ?? [],
        ACCOUNT_SCOPED.includes(objectType),
    ]);
}
