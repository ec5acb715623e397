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
import { LOWERCASE_PROPERTIES } from "../stalwart/objectProvider/facts";
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
    [/^oidc-directory$/, "oidc"],
    [/^account-/, "accounts"],
    [/^group-/, "groups"],
    [/^domain-/, "accounts"],
    [/^automation-account$/, "stalwart (the automation account)"],
    [/^smarthost-/, "smarthost"],
    [/^outbound-strategy$/, "smarthost"],
];

const sourceKey = (spec: Pick<StalwartObjectSpec, "key" | "source">): string =>
    spec.source ?? SOURCE_KEYS.find(([re]) => re.test(spec.key))?.[1] ?? `stalwart (settings object ${spec.key})`;

/** What stands in for a password the deploy hashes: an argon2id hash in Stalwart's format. */
const HASH_PLACEHOLDER = "$argon2id$v=19$m=19456,t=2,p=1$cGxhY2Vob2xkZXI$cGxhY2Vob2xkZXI";

/** A copy with Secret values as strings the check can read: the clear value, or a stand-in when it is encrypted. */
function revealForCheck(value: unknown): unknown {
    if (isSecret(value)) return value.encrypted ? "encrypted-in-stack-file" : value.reveal();
    if (Array.isArray(value)) return value.map(revealForCheck);
    if (typeof value === "object" && value !== null)
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealForCheck(v)]));
    return value;
}

function withRefPlaceholders(
    properties: Record<string, unknown>,
    refs: Record<string, string>,
    hashed: string[] = [],
): Record<string, unknown> {
    const out = revealForCheck(properties) as Record<string, unknown>;
    const stand = (path: string) => (hashed.includes(path) ? HASH_PLACEHOLDER : "ref-placeholder");
    for (const path of [...Object.keys(refs), ...hashed]) {
        const parts = path.split(".");
        let target = out;
        for (const part of parts.slice(0, -1)) {
            target[part] = typeof target[part] === "object" && target[part] !== null ? target[part] : {};
            target = target[part] as Record<string, unknown>;
        }
        const last = parts[parts.length - 1]!;
        const member = /^(.+)\[\d+\]$/.exec(last);
        // `name[i]`: the id joins the set `name`
        if (member)
            target[member[1]!] = {
                ...(target[member[1]!] as Record<string, unknown> | undefined),
                [stand(path)]: true,
            };
        else target[last] = stand(path);
    }
    return out;
}

/** Every failure the x:* provider's check would report at preview, as config issues (no value is echoed: reasons never show secrets). */
export function checkSettingsPlan(
    specs: Pick<StalwartObjectSpec, "key" | "objectType" | "properties" | "refs" | "passwords" | "source">[],
): ConfigIssue[] {
    return specs.flatMap((spec) => {
        const subset = subsetFor(spec.objectType);
        const props = withRefPlaceholders(spec.properties, spec.refs ?? {}, Object.keys(spec.passwords ?? {}));
        const { failures } = checkProperties(subset, props, {
            creating: subset.object.kind === "collection",
            lowercase: LOWERCASE_PROPERTIES[spec.objectType] ?? [],
        });
        const path = sourceKey(spec);
        return failures.map((f) => ({
            path,
            message: `${path}: Stalwart would refuse ${spec.objectType} (${spec.key}) at ${f.property}: ${f.reason}; fix ${path} in the stack config`,
        }));
    });
}
