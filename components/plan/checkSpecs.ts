/**
 * The plan fails wherever `pulumi preview` would: every x:* spec is run through the very check the
 * x:* provider runs at preview (normalize.ts checkProperties, with the type's schema subset), and
 * each failure becomes a config issue on the key the spec came from. Ids that `refs` fill at deploy
 * time and secrets read encrypted from the stack file are stood in for by placeholders, which the
 * check accepts as it would the real values.
 */
import type { ConfigIssue } from "../config";
import { isSecret } from "../config/secret";
import { checkProperties } from "../stalwart/normalize";
import { LOWERCASE_PROPERTIES } from "../stalwart/providerCore";
import { subsetFor } from "../stalwart/schema/table";
import type { StalwartObjectSpec } from "./stalwartSettings";

/** The stack-config key each spec of the settings plan comes from (by key, or by key prefix). */
const SOURCE_KEYS: [RegExp, string][] = [
    [/^dns$/, "acme.dnsProvider"],
    [/^acme$/, "acme"],
    [/^domain$/, "domain"],
    [/^system$/, "hostname"],
    [/^blob-store$/, "garage"],
    [/^in-memory-store$/, "redis.url"],
    [/^tracer-/, "stalwart"],
    [/^listener-/, "edge.ports"],
];

const sourceKey = (key: string): string => SOURCE_KEYS.find(([re]) => re.test(key))?.[1] ?? `stalwart (settings object ${key})`;

/** A copy with Secret values as strings the check can read: the clear value, or a stand-in when it is encrypted. */
function revealForCheck(value: unknown): unknown {
    if (isSecret(value)) return value.encrypted ? "encrypted-in-stack-file" : value.reveal();
    if (Array.isArray(value)) return value.map(revealForCheck);
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealForCheck(v)]));
    return value;
}

function withRefPlaceholders(properties: Record<string, unknown>, refs: Record<string, string>): Record<string, unknown> {
    const out = revealForCheck(properties) as Record<string, unknown>;
    for (const path of Object.keys(refs)) {
        const parts = path.split(".");
        let target = out;
        for (const part of parts.slice(0, -1)) {
            target[part] = typeof target[part] === "object" && target[part] !== null ? target[part] : {};
            target = target[part] as Record<string, unknown>;
        }
        target[parts[parts.length - 1]!] = "ref-placeholder";
    }
    return out;
}

/** Every failure the x:* provider's check would report at preview, as config issues (no value is echoed: reasons never show secrets). */
export function checkSettingsPlan(specs: StalwartObjectSpec[]): ConfigIssue[] {
    return specs.flatMap((spec) => {
        const subset = subsetFor(spec.objectType);
        const props = withRefPlaceholders(spec.properties, spec.refs ?? {});
        const { failures } = checkProperties(subset, props, {
            creating: subset.object.kind === "collection",
            lowercase: LOWERCASE_PROPERTIES[spec.objectType] ?? [],
        });
        const path = sourceKey(spec.key);
        return failures.map((f) => ({
            path,
            message: `${path}: Stalwart would refuse ${spec.objectType} (${spec.key}) at ${f.property}: ${f.reason}; fix ${path} in the stack config`,
        }));
    });
}
