/**
 * Rules on Stalwart's own settings, the x:* objects StalwartObject registers as dynamic resources
 * (`pulumi-nodejs:dynamic/stalwart:<Type>`, inputs `objectType` and `properties`):
 * - PROXY protocol is trusted per mail listener only: a listener on the management port that
 *   demands a PROXY header, or a global x:SystemSettings proxyTrustedNetworks, locks operators
 *   out of the management API (docs/decisions/003-proxy-trust-per-listener.md);
 * - a property the generated schema marks secret (format `secret`/`secretText`,
 *   components/stalwart/generated/table.json) is a Pulumi secret or a reference Stalwart resolves
 *   itself (the EnvironmentVariable/File variants carry no secret field), never a clear string.
 */
import { fieldsOf, isSecretField } from "../../components/stalwart/normalize";
import { subsetFor } from "../../components/stalwart/schema/table";
import type { FieldDescriptor, ObjectSchemaSubset } from "../../components/stalwart/schema/types";
import { isRecord, isUnknown, type ResourceView, setMembers } from "./resource";

/** Stalwart's management (HTTP) listener port unless the stack's stalwart.managementUrl names another. */
export const DEFAULT_MANAGEMENT_PORT = 8080;

export interface StalwartObjectView {
    objectType: string;
    properties: unknown;
}

/** The x:* object a dynamic resource manages, or undefined for any other resource. */
export function stalwartObjectOf(r: ResourceView): StalwartObjectView | undefined {
    if (!r.type.startsWith("pulumi-nodejs:dynamic")) return undefined;
    const objectType = r.props.objectType;
    if (typeof objectType !== "string" || !objectType.startsWith("x:")) return undefined;
    return { objectType, properties: r.props.properties };
}

/** The port of a socket address (`[::]:8080`, `0.0.0.0:8080`, `8080`). */
function portOf(address: string): number | undefined {
    const m = /(?:^|:)(\d{1,5})$/.exec(address.trim());
    return m ? Number(m[1]) : undefined;
}

/** No listener trusts PROXY headers on a management port; no global proxyTrustedNetworks. */
export function proxyTrustViolations(
    r: ResourceView,
    managementPorts: readonly number[] = [DEFAULT_MANAGEMENT_PORT],
): string[] {
    const o = stalwartObjectOf(r);
    if (!o || !isRecord(o.properties)) return [];
    const p = o.properties;
    if (o.objectType === "x:SystemSettings" && setMembers(p.proxyTrustedNetworks).length > 0) {
        return [
            `${r.name} (x:SystemSettings) sets a global proxyTrustedNetworks; it makes every listener, the management API's included, demand a PROXY header. Remove it and set overrideProxyTrustedNetworks on each mail listener instead`,
        ];
    }
    if (o.objectType !== "x:NetworkListener" || setMembers(p.overrideProxyTrustedNetworks).length === 0) return [];
    const onManagement = setMembers(p.bind).filter((a) => managementPorts.includes(portOf(a) ?? -1));
    return onManagement.length === 0
        ? []
        : [
              `${r.name} (x:NetworkListener ${JSON.stringify(p.name ?? "")}) binds ${onManagement.join(", ")} on the management port and trusts PROXY headers (overrideProxyTrustedNetworks); clients without a PROXY header (operators, pulumi) would be refused. Remove overrideProxyTrustedNetworks from this listener`,
          ];
}

type SecretTest = (v: unknown) => boolean;

/** The list or map elements of a value (the provider takes lists as arrays or as `{"0": …}`). */
const elements = (x: unknown): unknown[] => (Array.isArray(x) ? x : isRecord(x) ? Object.values(x) : []);

function walkObject(
    subset: ObjectSchemaSubset,
    schemaName: string,
    v: unknown,
    path: string,
    isSecret: SecretTest,
    out: string[],
): void {
    if (isSecret(v) || !isRecord(v)) return;
    const schema = subset.schemas[schemaName];
    const variant = v["@type"] ?? (schema && "variants" in schema ? schema.defaultVariant : undefined);
    const fields = fieldsOf(subset, schemaName, variant);
    if (!fields) return;
    for (const [k, x] of Object.entries(v)) {
        const f = fields[k];
        if (f) walkField(subset, f, x, `${path}.${k}`, isSecret, out);
    }
}

function walkField(
    subset: ObjectSchemaSubset,
    f: FieldDescriptor,
    x: unknown,
    path: string,
    isSecret: SecretTest,
    out: string[],
): void {
    if (x === null || x === undefined || isUnknown(x) || isSecret(x)) return;
    if (isSecretField(f)) {
        if (typeof x === "string") out.push(path);
    } else if (f.kind === "object" && f.objectName) {
        walkObject(subset, f.objectName, x, path, isSecret, out);
    } else if ((f.kind === "set" || f.kind === "objectList") && f.element) {
        const el = f.element;
        elements(x).forEach((e, i) =>
            walkField(subset, { ...el, nullable: true, update: "mutable" }, e, `${path}[${i}]`, isSecret, out),
        );
    } else if (f.kind === "map" && f.value) {
        const val = f.value;
        if (isRecord(x))
            for (const [k, e] of Object.entries(x))
                walkField(subset, { ...val, nullable: true, update: "mutable" }, e, `${path}.${k}`, isSecret, out);
    }
}

/**
 * Paths (`properties.secretKey.secret`) of secret fields holding a clear string, not inside a value
 * `isSecret` recognizes (the caller's form of a Pulumi secret). An x:* type the schema does not know
 * yields none: StalwartObject refuses it before anything is sent.
 */
export function clearSecretPaths(o: StalwartObjectView, isSecret: SecretTest): string[] {
    let subset: ObjectSchemaSubset;
    try {
        subset = subsetFor(o.objectType);
    } catch {
        return [];
    }
    const out: string[] = [];
    walkObject(subset, subset.object.schema, o.properties, "properties", isSecret, out);
    return out;
}

export function clearSecretMessage(name: string, o: StalwartObjectView, paths: string[]): string {
    return `${name} (${o.objectType}) sends ${paths.join(", ")} in clear; pass it as a Pulumi secret (pulumi.secret / pulumi config set --secret) or as {"@type": "EnvironmentVariable", variableName} / {"@type": "File", filePath} so Stalwart reads it itself`;
}
