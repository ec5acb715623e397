/**
 * StalwartObject: one Stalwart `x:*` registry object as a Pulumi resource, driven by the generic
 * provider for its type. URNs read `pulumi-nodejs:dynamic/stalwart:Domain`. Secret-bearing
 * properties are marked secret before they reach the engine, so they are encrypted in state.
 */
import * as pulumi from "@pulumi/pulumi";
import type { TrackedObject } from "./convergence/changes";
import { EXCLUDED_OBJECTS } from "./generated/excluded";
import { secretBearing } from "./schema/secrets";
import { ACCOUNT_SCOPED, stalwartProvider } from "./provider";
import { objectDescriptor, subsetFor, volatileProperties } from "./schema/table";
import type { FieldDescriptor } from "./schema/types";

/** Arguments of {@link StalwartObject}. */
export interface StalwartObjectArgs {
    /** the x:* type, e.g. "x:Domain" */
    objectType: string;
    /** the object's properties as Stalwart names them (https://stalw.art/docs); secret-bearing ones are made Pulumi secrets */
    properties: pulumi.Input<Record<string, unknown>>;
    /** take over an existing object with the same natural key (default: true when the type has one) */
    adopt?: pulumi.Input<boolean>;
    /** any change forces an update; defaults to the schema version + the provider code version */
    providerVersion?: pulumi.Input<string>;
    /** the account an account-scoped object (x:ApiKey, x:AppPassword, x:AccountSettings, …) lives in */
    accountId?: pulumi.Input<string>;
}

/** Resource options of the typed x:* classes, with two of {@link StalwartObjectArgs}' fields. */
export interface StalwartObjectOptions extends pulumi.CustomResourceOptions {
    /** take over an existing object with the same natural key (default: true when the type has one) */
    adopt?: boolean;
    /** any change forces an update; defaults to the schema version + the provider code version */
    providerVersion?: string;
}

/** Options of the typed classes for account-scoped objects (x:ApiKey, x:AppPassword, x:AccountSettings, …). */
export interface AccountScopedObjectOptions extends StalwartObjectOptions {
    /**
     * The account the object lives in (the JMAP accountId, docs/stalwart-facts.md#account-scope). Leave it out only
     * when the credentials Pulumi uses belong to that account; the recovery admin has no account of
     * its own and must always name one.
     */
    accountId?: pulumi.Input<string>;
}

/** The pseudo-property of a tracked object that carries the write's content hash, so a secret-only change still counts. */
export const TRACKED_CONTENT_KEY = "#content";

/** The outputs of a StalwartObject the convergence reads. */
export interface ObjectOutputs {
    objectType: string;
    objectId: string;
    accountId?: string;
    properties: Record<string, unknown>;
    contentHash: string;
    adopted?: boolean;
    restore?: Record<string, unknown>;
}

/**
 * The object as StalwartConvergence tracks it: type, id, account (account-scoped types), the
 * server's view plus the content hash under TRACKED_CONTENT_KEY, the properties the server sets
 * itself (never compared), and whether it was adopted with what it goes back to.
 */
export function trackedOf(o: ObjectOutputs, volatile: string[]): TrackedObject {
    return {
        objectType: o.objectType,
        objectId: o.objectId,
        ...(typeof o.accountId === "string" && o.accountId !== "" ? { accountId: o.accountId } : {}),
        properties: { ...o.properties, [TRACKED_CONTENT_KEY]: o.contentHash },
        volatile,
        ...(typeof o.adopted === "boolean" ? { adopted: o.adopted } : {}),
        ...(o.restore && Object.keys(o.restore).length > 0 ? { restore: o.restore } : {}),
    };
}

/** Top-level property names whose values may carry a secret (any variant of the object). */
export function secretProperties(objectType: string): Set<string> {
    const subset = subsetFor(objectType);
    const root = subset.schemas[subset.object.schema];
    const names = new Set<string>();
    if (!root) return names;
    const fieldSets =
        "variants" in root
            ? Object.values(root.variants).flatMap((v) =>
                  v && subset.schemas[v] && "fields" in subset.schemas[v]!
                      ? [(subset.schemas[v] as { fields: Record<string, FieldDescriptor> }).fields]
                      : [],
              )
            : [root.fields];
    for (const fields of fieldSets)
        for (const [k, f] of Object.entries(fields)) if (secretBearing(subset.schemas, f)) names.add(k);
    return names;
}

/** Wraps secret-bearing properties in pulumi.secret (each key when the object is plain, else the whole). */
function protectSecrets(
    objectType: string,
    properties: pulumi.Input<Record<string, unknown>>,
): pulumi.Input<Record<string, unknown>> {
    const secret = secretProperties(objectType);
    if (secret.size === 0) return properties;
    if (
        typeof properties === "object" &&
        properties !== null &&
        !pulumi.Output.isInstance(properties) &&
        !(properties instanceof Promise)
    ) {
        return Object.fromEntries(
            Object.entries(properties).map(([k, v]) => [k, secret.has(k) && v !== undefined ? pulumi.secret(v) : v]),
        );
    }
    // The Output typings' lifted-object types do not survive a round trip; the value is a plain object.
    const whole = pulumi.output(properties) as unknown as pulumi.Output<Record<string, unknown>>;
    return whole.apply((p) => (Object.keys(p ?? {}).some((k) => secret.has(k)) ? pulumi.secret(p) : pulumi.output(p)));
}

/**
 * The request accountId an account-scoped object needs. x:PublicKey and x:MaskedEmail also carry an
 * `accountId` property, which the server takes from the request's accountId: without an explicit
 * one, that property names the account.
 */
function accountIdFor(
    objectType: string,
    given: pulumi.Input<string> | undefined,
    properties: pulumi.Input<Record<string, unknown>>,
): pulumi.Input<string> | undefined {
    const scoped = ACCOUNT_SCOPED.includes(objectType);
    if (given !== undefined && given !== null && !scoped) {
        throw new Error(`${objectType} is not account-scoped: accountId applies only to ${ACCOUNT_SCOPED.join(", ")}.`);
    }
    if (given !== undefined && given !== null) return given;
    const subset = subsetFor(objectType);
    const root = subset.schemas[subset.object.schema];
    if (!scoped || !root || "variants" in root || !("accountId" in root.fields)) return undefined;
    if (pulumi.Output.isInstance(properties) || properties instanceof Promise) {
        return pulumi
            .output(properties)
            .apply((p: Record<string, unknown> | undefined) =>
                typeof p?.accountId === "string" ? p.accountId : undefined,
            ) as pulumi.Output<string>;
    }
    // Only this one property: lifting the whole object would make the accountId unknown whenever any property is.
    const own = (properties as Record<string, unknown> | undefined)?.accountId;
    return typeof own === "string" || pulumi.Output.isInstance(own) || own instanceof Promise
        ? (own as pulumi.Input<string>)
        : undefined;
}

/** Rejects unknown and unmanageable types at construction, with close matches or the reason. */
function validObjectType(objectType: string): string {
    objectDescriptor(objectType);
    const reason = EXCLUDED_OBJECTS[objectType];
    if (reason) throw new Error(`${objectType} cannot be managed as a StalwartObject: ${reason}.`);
    return objectType;
}

/**
 * One Stalwart x:* registry object as a Pulumi resource (URN type `pulumi-nodejs:dynamic/stalwart:<Type>`),
 * written through Stalwart's management API; the typed classes (`Domain`, `Account`, …) are this with
 * their property types. The provider reads `stalwart:url` and `stalwart:token` (or
 * `stalwart:user`/`stalwart:password`) from the stack config, else the `STALWART_*` environment.
 */
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
    /** true when create took over an existing object (its natural key, or a singleton); false when it created it */
    declare public readonly adopted: pulumi.Output<boolean>;
    /** what an adopted object goes back to when it leaves the program or is deleted: its values before (secrets excepted) */
    declare public readonly restore: pulumi.Output<Record<string, unknown> | undefined>;
    /** the schema version + provider code version the object was last written with */
    declare public readonly providerVersion: pulumi.Output<string>;
    /** the secret x:ApiKey / x:AppPassword return once on create (stored encrypted) */
    declare public readonly createdSecret: pulumi.Output<string | undefined>;
    /** the account an account-scoped object lives in (undefined for every other type) */
    declare public readonly accountId: pulumi.Output<string | undefined>;
    /**
     * The object as StalwartConvergence tracks it: type, id, account (account-scoped types), the
     * server's view plus the content hash under TRACKED_CONTENT_KEY, and the properties the server
     * sets itself (never compared). Pass it in StalwartConvergence's `objects`.
     */
    public readonly tracked: pulumi.Output<TrackedObject>;

    constructor(name: string, args: StalwartObjectArgs, opts?: StalwartObjectOptions | AccountScopedObjectOptions) {
        const {
            adopt,
            providerVersion,
            accountId: optsAccountId,
            ...resourceOptions
        } = (opts ?? {}) as AccountScopedObjectOptions;
        const objectType = validObjectType(args.objectType);
        const accountId = accountIdFor(objectType, args.accountId ?? optsAccountId, args.properties);
        super(
            stalwartProvider(objectType),
            name,
            {
                objectType,
                properties: protectSecrets(objectType, args.properties),
                adopt: args.adopt ?? adopt,
                providerVersion: args.providerVersion ?? providerVersion,
                accountId,
                objectId: undefined,
                contentHash: undefined,
                changedProperties: undefined,
                adopted: undefined,
                restore: undefined,
                createdSecret: undefined,
            },
            {
                ...resourceOptions,
                additionalSecretOutputs: [...(resourceOptions.additionalSecretOutputs ?? []), "createdSecret"],
            },
            "stalwart",
            objectType.replace(/^x:/, ""),
        );
        const volatile = volatileProperties(objectType);
        const tracked = pulumi
            .all([
                this.objectType,
                this.objectId,
                this.accountId,
                this.properties,
                this.contentHash,
                this.adopted,
                this.restore,
            ])
            .apply(([type, objectId, accountId, properties, contentHash, adopted, restore]) =>
                trackedOf(
                    { objectType: type, objectId, accountId, properties, contentHash, adopted, restore },
                    volatile,
                ),
            );
        // a view kept secret in state (an undeclared secret such as redis.url's password) stays secret when tracked
        // (pulumi.secret's unwrapped type is the same plain object under another name)
        this.tracked = resourceOptions.additionalSecretOutputs?.includes("properties")
            ? (pulumi.secret(tracked) as unknown as pulumi.Output<TrackedObject>)
            : tracked;
    }
}
