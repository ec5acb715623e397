/**
 * What a rule sees of one resource a preview would deploy, and helpers for reading it. Plain data
 * only: policy/index.ts hands the rules the engine's raw inputs (unknown values as the engine's
 * sentinels, Pulumi secrets as the caller's wrapper) so that the root test suite can call every rule
 * without @pulumi/policy installed.
 */

/** One resource as the analyzer receives it: its type token, name and inputs. */
export interface ResourceView {
    /** e.g. `docker:index/container:Container`, `pulumi-nodejs:dynamic/stalwart:NetworkListener` */
    type: string;
    name: string;
    props: Record<string, unknown>;
    /** resource options the analyzer protocol carries (retainOnDelete is not among them) */
    opts?: { protect?: boolean };
}

export const TYPES = {
    container: "docker:index/container:Container",
    volume: "docker:index/volume:Volume",
    remoteImage: "docker:index/remoteImage:RemoteImage",
    image: "docker:index/image:Image",
    database: "postgresql:index/database:Database",
    /** GarageBucket's dynamic resource (components/backends/garage/bucket.ts) */
    bucketGrant: "pulumi-nodejs:dynamic/garage:BucketGrant",
} as const;

/**
 * The engine's placeholders for values a preview cannot know yet (one per kind). A rule that needs
 * such a value to decide stays silent on it: the same check runs again on `pulumi up`, when the
 * value is known.
 */
const UNKNOWN_SENTINELS = new Set([
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    "030794c1-ac77-496b-92df-f27374a8bd58",
    "e48ece36-62e2-4504-bad9-02848725956a",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
]);

export const isUnknown = (v: unknown): boolean => typeof v === "string" && UNKNOWN_SENTINELS.has(v);

export const isRecord = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);

/** A list input as an array (absent, unknown or not a list: empty). */
export function listOf(v: unknown): unknown[] {
    return Array.isArray(v) ? v : [];
}

/** A docker label list (`[{label, value}]`) as a map; unknown values are left out. */
export function labelMap(v: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    for (const item of listOf(v)) {
        if (
            isRecord(item) &&
            typeof item.label === "string" &&
            typeof item.value === "string" &&
            !isUnknown(item.value)
        ) {
            out[item.label] = item.value;
        }
    }
    return out;
}

/** The label every tailwart container carries (components/plan/mailboxSpec.ts, components/plan/edgeSpec.ts). */
export const ROLE_LABEL = "tailwart.role";

/** A Stalwart x:* set as the provider accepts it (`{member: true}` or a list) → its members. */
export function setMembers(v: unknown): string[] {
    if (Array.isArray(v)) return v.filter((m): m is string => typeof m === "string");
    if (isRecord(v)) return Object.keys(v).filter((k) => v[k] === true);
    return [];
}
