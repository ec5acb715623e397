/**
 * StalwartObject: one Stalwart `x:*` registry object as a Pulumi resource, driven by the generic
 * provider for its type. URNs read `pulumi-nodejs:dynamic/stalwart:Domain`. Secret-bearing
 * properties are marked secret before they reach the engine, so they are encrypted in state.
 */
import * as pulumi from "@pulumi/pulumi";
import { EXCLUDED_OBJECTS } from "./generated/excluded";
import { isSecretField } from "./diff";
import { stalwartProvider } from "./provider";
import { objectDescriptor, subsetFor } from "./schema/table";
import type { FieldDescriptor, ObjectSchemaSubset } from "./schema/types";

export interface StalwartObjectArgs {
    /** the x:* type, e.g. "x:Domain" */
    objectType: string;
    properties: pulumi.Input<Record<string, unknown>>;
    /** take over an existing object with the same natural key (default: true when the type has one) */
    adopt?: pulumi.Input<boolean>;
    /** any change forces an update; defaults to the schema version + the provider code version */
    providerVersion?: pulumi.Input<string>;
    /** the account an account-scoped object (x:ApiKey, x:AppPassword, x:AccountSettings, …) lives in */
    accountId?: pulumi.Input<string>;
}

export interface StalwartObjectOptions extends pulumi.CustomResourceOptions {
    adopt?: boolean;
    providerVersion?: string;
}

/** Does a value of this field (at any depth) hold a secret string? Cycles in the schema end the walk. */
function secretBearing(subset: ObjectSchemaSubset, f: FieldDescriptor, seen = new Set<string>()): boolean {
    if (isSecretField(f)) return true;
    const target = f.kind === "object" ? f.objectName : f.kind === "objectList" ? f.element?.objectName : f.kind === "map" ? f.value?.objectName : undefined;
    if (!target || seen.has(target)) return false;
    seen.add(target);
    const schema = subset.schemas[target];
    if (!schema) return false;
    const schemas = "variants" in schema ? Object.values(schema.variants).flatMap((v) => (v && subset.schemas[v] ? [subset.schemas[v]!] : [])) : [schema];
    return schemas.some((s) => "fields" in s && Object.values(s.fields).some((inner) => secretBearing(subset, inner, seen)));
}

/** Top-level property names whose values may carry a secret (any variant of the object). */
export function secretProperties(objectType: string): Set<string> {
    const subset = subsetFor(objectType);
    const root = subset.schemas[subset.object.schema];
    const names = new Set<string>();
    if (!root) return names;
    const fieldSets = "variants" in root ? Object.values(root.variants).flatMap((v) => (v && subset.schemas[v] && "fields" in subset.schemas[v]! ? [(subset.schemas[v] as { fields: Record<string, FieldDescriptor> }).fields] : [])) : [root.fields];
    for (const fields of fieldSets) for (const [k, f] of Object.entries(fields)) if (secretBearing(subset, f)) names.add(k);
    return names;
}

/** Wraps secret-bearing properties in pulumi.secret (each key when the object is plain, else the whole). */
function protectSecrets(objectType: string, properties: pulumi.Input<Record<string, unknown>>): pulumi.Input<Record<string, unknown>> {
    const secret = secretProperties(objectType);
    if (secret.size === 0) return properties;
    if (typeof properties === "object" && properties !== null && !pulumi.Output.isInstance(properties) && !(properties instanceof Promise)) {
        return Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, secret.has(k) && v !== undefined ? pulumi.secret(v) : v]));
    }
    // The Output typings' lifted-object types do not survive a round trip; the value is a plain object.
    const whole: pulumi.Output<any> = pulumi.output(properties);
    return whole.apply((p: Record<string, unknown>): pulumi.Output<any> => (Object.keys(p ?? {}).some((k) => secret.has(k)) ? pulumi.secret(p) : pulumi.output(p)));
}

/** Rejects unknown and unmanageable types at construction, with close matches or the reason. */
function validObjectType(objectType: string): string {
    objectDescriptor(objectType);
    const reason = EXCLUDED_OBJECTS[objectType];
    if (reason) throw new Error(`${objectType} cannot be managed as a StalwartObject: ${reason}.`);
    return objectType;
}

export class StalwartObject extends pulumi.dynamic.Resource {
    /** the x:* type */
    declare public readonly objectType: pulumi.Output<string>;
    /** the server's id ("singleton" for singletons) */
    declare public readonly objectId: pulumi.Output<string>;
    /** the server's view after the last write or refresh (secrets masked as "****") */
    declare public readonly properties: pulumi.Output<Record<string, unknown>>;
    /** SHA-256 over what was last written (secrets by salted hash): changes exactly when a write changed content */
    declare public readonly contentHash: pulumi.Output<string>;
    /** top-level properties the last create/update wrote (for reload/restart decisions) */
    declare public readonly changedProperties: pulumi.Output<string[]>;
    /** true when create took over an existing object (natural key clash, or a singleton) */
    declare public readonly adopted: pulumi.Output<boolean>;
    declare public readonly providerVersion: pulumi.Output<string>;
    /** the secret x:ApiKey / x:AppPassword return once on create (stored encrypted) */
    declare public readonly createdSecret: pulumi.Output<string | undefined>;

    constructor(name: string, args: StalwartObjectArgs, opts?: StalwartObjectOptions) {
        const { adopt, providerVersion, ...resourceOptions } = opts ?? {};
        const objectType = validObjectType(args.objectType);
        super(
            stalwartProvider(objectType),
            name,
            {
                objectType,
                properties: protectSecrets(objectType, args.properties),
                adopt: args.adopt ?? adopt,
                providerVersion: args.providerVersion ?? providerVersion,
                accountId: args.accountId,
                objectId: undefined,
                contentHash: undefined,
                changedProperties: undefined,
                adopted: undefined,
                createdSecret: undefined,
            },
            { ...resourceOptions, additionalSecretOutputs: [...(resourceOptions.additionalSecretOutputs ?? []), "createdSecret"] },
            "stalwart",
            objectType.replace(/^x:/, ""),
        );
    }
}
