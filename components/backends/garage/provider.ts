// Dynamic provider for one Garage bucket + access key + the key's grant on the bucket, as a single resource.
// This provider core ships bundled behind GarageBucket's shell (components/bundledProvider.ts): it uses only
// globals (fetch, process.env, crypto) and the local pure modules below. The admin token comes from the stack's
// Pulumi config garage:adminToken, else env GARAGE_ADMIN_TOKEN (decision 008); it is never an input, an output or
// part of an error.
import { GarageAdminClient, type GarageAdminFailure } from "./adminClient";
import {
    type BucketGrantInputs,
    type BucketPermissions,
    inputFailures,
    normalizeEndpoint,
    UNKNOWN_VALUE,
} from "./inputRules";

export interface BucketGrantOutputs extends BucketGrantInputs {
    bucketId: string;
    accessKeyId: string;
    secretAccessKey: string;
    /** The bucket existed before this resource; delete leaves it alone. */
    adoptedBucket: boolean;
    /** The key existed before this resource; delete leaves it alone. */
    adoptedKey: boolean;
}

interface BucketInfo {
    id: string;
    globalAliases: string[];
    keys: { accessKeyId: string; name: string; permissions: BucketPermissions }[];
    objects: number;
    unfinishedUploads: number;
}

interface KeyInfo {
    accessKeyId: string;
    name: string;
    secretAccessKey?: string;
}

const NO_PERMISSIONS: BucketPermissions = { read: false, write: false, owner: false };
const PERMISSION_FLAGS = ["read", "write", "owner"] as const;

/** The stack's config first, then the environment (decision 008); `source` names the origin, never the value. */
export function adminToken(
    configured: string | undefined,
    env: Record<string, string | undefined>,
): { token: string; source: string } | undefined {
    if (configured) return { token: configured, source: "config garage:adminToken" };
    const fromEnv = env.GARAGE_ADMIN_TOKEN;
    return fromEnv ? { token: fromEnv, source: "env GARAGE_ADMIN_TOKEN" } : undefined;
}

function adminClient(endpoint: string, configuredToken: string | undefined): GarageAdminClient {
    const found = adminToken(configuredToken, process.env);
    if (!found) {
        throw new Error(
            `no Garage admin token for ${endpoint}: run \`pulumi config set --secret garage:adminToken <token>\` (or set env GARAGE_ADMIN_TOKEN)`,
        );
    }
    return new GarageAdminClient(normalizeEndpoint(endpoint), found.token, found.source);
}

function toInputs(props: Record<string, unknown>): BucketGrantInputs {
    const permissions = (props.permissions ?? {}) as Partial<BucketPermissions>;
    return {
        adminEndpoint: normalizeEndpoint(String(props.adminEndpoint)),
        bucket: String(props.bucket),
        keyName: String(props.keyName),
        permissions: {
            read: permissions.read === true,
            write: permissions.write === true,
            owner: permissions.owner === true,
        },
    };
}

function randomHex(bytes: number): string {
    return Array.from(globalThis.crypto.getRandomValues(new Uint8Array(bytes)), (b) =>
        b.toString(16).padStart(2, "0"),
    ).join("");
}

async function bucketById(client: GarageAdminClient, id: string): Promise<BucketInfo | undefined> {
    const answer = await client.call<BucketInfo>("GET", "GetBucketInfo", { query: { id }, expect: [404] });
    return answer.status === 404 ? undefined : answer.data;
}

async function keyById(client: GarageAdminClient, id: string): Promise<KeyInfo | undefined> {
    const query = { id, showSecretKey: "true" };
    const answer = await client.call<KeyInfo>("GET", "GetKeyInfo", { query, expect: [404] });
    return answer.status === 404 ? undefined : answer.data;
}

/** Finds the bucket by global alias, else creates it. */
async function ensureBucket(client: GarageAdminClient, alias: string): Promise<{ info: BucketInfo; adopted: boolean }> {
    const found = await client.call<BucketInfo>("GET", "GetBucketInfo", {
        query: { globalAlias: alias },
        expect: [404],
    });
    if (found.status !== 404) return { info: found.data, adopted: true };
    const created = await client.call<BucketInfo>("POST", "CreateBucket", {
        body: { globalAlias: alias },
        expect: [409],
    });
    if (created.status !== 409) return { info: created.data, adopted: false };
    // 409 BucketAlreadyExists: on a retry our own lost first attempt made it; on the first attempt someone else did.
    const raced = await client.call<BucketInfo>("GET", "GetBucketInfo", { query: { globalAlias: alias } });
    return { info: raced.data, adopted: created.attempts === 1 };
}

/** Finds the key by exact name (Garage allows duplicate names, so more than one is an error), else imports a new one. */
async function ensureKey(client: GarageAdminClient, name: string): Promise<{ info: KeyInfo; adopted: boolean }> {
    const listed = await client.call<{ id: string; name: string }[]>("GET", "ListKeys");
    const named = listed.data.filter((key) => key.name === name);
    if (named.length > 1) {
        const ids = named.map((key) => key.id).join(", ");
        throw new Error(
            `Garage has ${named.length} access keys named "${name}" (${ids}); delete the extra ones or choose another keyName`,
        );
    }
    const existing = named[0];
    if (existing) {
        const info = await keyById(client, existing.id);
        if (!info)
            throw new Error(
                `Garage access key "${name}" (${existing.id}) vanished while being adopted; run the update again`,
            );
        return { info, adopted: true };
    }
    // ImportKey with an id we choose makes a retried request harmless: a 409 then means our own first attempt landed.
    const accessKeyId = `GK${randomHex(12)}`;
    const secretAccessKey = randomHex(32);
    const imported = await client.call<KeyInfo>("POST", "ImportKey", {
        body: { accessKeyId, secretAccessKey, name },
        expect: [409],
    });
    if (imported.status === 409) {
        const info = await keyById(client, accessKeyId);
        if (!info || info.name !== name)
            throw new Error(`Garage refused to import access key ${accessKeyId} for "${name}": id already taken`);
        return { info: { ...info, secretAccessKey }, adopted: false };
    }
    return { info: { ...imported.data, secretAccessKey }, adopted: false };
}

function grantOf(bucket: BucketInfo, accessKeyId: string): BucketPermissions {
    return bucket.keys.find((key) => key.accessKeyId === accessKeyId)?.permissions ?? NO_PERMISSIONS;
}

/** Sets exactly `wanted` on the bucket for the key: Allow what is missing, Deny what is extra. */
async function applyGrant(
    client: GarageAdminClient,
    bucketId: string,
    accessKeyId: string,
    wanted: BucketPermissions,
): Promise<BucketPermissions> {
    const bucket = await bucketById(client, bucketId);
    if (!bucket)
        throw new Error(`Garage bucket ${bucketId} no longer exists; run \`pulumi refresh\` so it is recreated`);
    let current = grantOf(bucket, accessKeyId);
    const allow = Object.fromEntries(PERMISSION_FLAGS.map((f) => [f, wanted[f] && !current[f]]));
    const deny = Object.fromEntries(PERMISSION_FLAGS.map((f) => [f, !wanted[f] && current[f]]));
    for (const [endpoint, flags] of [
        ["AllowBucketKey", allow],
        ["DenyBucketKey", deny],
    ] as const) {
        if (!Object.values(flags).some(Boolean)) continue;
        const body = { bucketId, accessKeyId, permissions: flags };
        current = grantOf((await client.call<BucketInfo>("POST", endpoint, { body })).data, accessKeyId);
    }
    return current;
}

function sameValue(a: unknown, b: unknown): boolean {
    if (b === UNKNOWN_VALUE) return false;
    if (typeof a === "string" && typeof b === "string") return normalizeEndpoint(a) === normalizeEndpoint(b);
    return a === b;
}

function emptyBucketOrRefuse(bucket: BucketInfo, alias: string): void {
    if (bucket.objects > 0 || bucket.unfinishedUploads > 0) {
        throw new Error(
            `refusing to delete Garage bucket "${alias}" (${bucket.id}): it still holds ${bucket.objects} objects and ` +
                `${bucket.unfinishedUploads} unfinished uploads. Keep the data with retainOnDelete: true on the GarageBucket ` +
                "(or `pulumi state delete` this resource), or empty the bucket first and run the delete again",
        );
    }
}

/** The provider core's factory, what GarageBucket's shell calls: all seven methods, the configured token in the closure. */
export function bucketGrantProvider() {
    /** Set by configure() from Pulumi config `garage:adminToken`; it comes before env GARAGE_ADMIN_TOKEN. */
    let configuredToken: string | undefined;
    return {
        async configure(req: { config: { get(key: string): unknown } }): Promise<void> {
            const value = req.config.get("garage:adminToken");
            configuredToken = typeof value === "string" && value !== "" ? value : undefined;
        },

        async check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
            const failures = inputFailures(news);
            const inputs = { ...news };
            if (typeof news.adminEndpoint === "string" && news.adminEndpoint !== UNKNOWN_VALUE) {
                inputs.adminEndpoint = normalizeEndpoint(news.adminEndpoint);
            }
            return { inputs, failures };
        },

        async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
            const replaces = ["adminEndpoint", "bucket", "keyName"].filter((k) => !sameValue(olds[k], news[k]));
            const oldPermissions = (olds.permissions ?? {}) as Record<string, unknown>;
            const newPermissions = news.permissions;
            const permissionsChanged =
                newPermissions === UNKNOWN_VALUE ||
                PERMISSION_FLAGS.some(
                    (f) => !sameValue(oldPermissions[f], (newPermissions as Record<string, unknown> | undefined)?.[f]),
                );
            // A replacement that keeps the bucket alias or the key name would adopt what the old resource is about to
            // delete, so the old one must go first.
            const deleteBeforeReplace =
                replaces.length > 0 && !(replaces.includes("bucket") && replaces.includes("keyName"));
            return { changes: replaces.length > 0 || permissionsChanged, replaces, deleteBeforeReplace };
        },

        async create(props: Record<string, unknown>): Promise<{ id: string; outs: BucketGrantOutputs }> {
            const inputs = toInputs(props);
            const client = adminClient(inputs.adminEndpoint, configuredToken);
            const bucket = await ensureBucket(client, inputs.bucket);
            let key: { info: KeyInfo; adopted: boolean } | undefined;
            try {
                key = await ensureKey(client, inputs.keyName);
                const permissions = await applyGrant(client, bucket.info.id, key.info.accessKeyId, inputs.permissions);
                const outs: BucketGrantOutputs = {
                    ...inputs,
                    permissions,
                    bucketId: bucket.info.id,
                    accessKeyId: key.info.accessKeyId,
                    secretAccessKey: key.info.secretAccessKey ?? "",
                    adoptedBucket: bucket.adopted,
                    adoptedKey: key.adopted,
                };
                return { id: `${bucket.info.id}/${key.info.accessKeyId}`, outs };
            } catch (error) {
                // Undo only what this call made, so a retry starts clean; adopted things stay as they were.
                const undo: string[] = [];
                if (key && !key.adopted) {
                    await client
                        .call("POST", "DeleteKey", { query: { id: key.info.accessKeyId } })
                        .catch(() => undo.push(`key ${key?.info.accessKeyId}`));
                }
                if (!bucket.adopted) {
                    await client
                        .call("POST", "DeleteBucket", { query: { id: bucket.info.id } })
                        .catch(() => undo.push(`bucket ${bucket.info.id}`));
                }
                const note =
                    undo.length > 0 ? ` (could not undo the partial create: ${undo.join(", ")}; remove by hand)` : "";
                throw Object.assign(new Error(`${(error as Error).message}${note}`), {
                    status: (error as GarageAdminFailure).status,
                });
            }
        },

        async read(id: string, props: Record<string, unknown>) {
            if (
                typeof props.adminEndpoint !== "string" ||
                typeof props.bucketId !== "string" ||
                typeof props.accessKeyId !== "string"
            ) {
                throw new Error(
                    `cannot read Garage BucketGrant ${id}: its state lacks adminEndpoint/bucketId/accessKeyId (import is not supported)`,
                );
            }
            const client = adminClient(props.adminEndpoint, configuredToken);
            const bucket = await bucketById(client, props.bucketId);
            const key = bucket ? await keyById(client, props.accessKeyId) : undefined;
            // Either half deleted by hand means the resource is gone; the next `up` creates it again.
            if (!bucket || !key) return { id: "", props: {} };
            const alias = String(props.bucket);
            const refreshed: BucketGrantOutputs = {
                ...(props as unknown as BucketGrantOutputs),
                bucket: bucket.globalAliases.includes(alias) ? alias : (bucket.globalAliases[0] ?? ""),
                keyName: key.name,
                permissions: grantOf(bucket, props.accessKeyId),
                secretAccessKey: key.secretAccessKey ?? String(props.secretAccessKey ?? ""),
            };
            const { adminEndpoint, bucket: bucketAlias, keyName, permissions } = refreshed;
            return { id, props: refreshed, inputs: { adminEndpoint, bucket: bucketAlias, keyName, permissions } };
        },

        async update(
            _id: string,
            olds: Record<string, unknown>,
            news: Record<string, unknown>,
        ): Promise<{ outs: BucketGrantOutputs }> {
            const previous = olds as unknown as BucketGrantOutputs;
            const inputs = toInputs(news);
            const client = adminClient(inputs.adminEndpoint, configuredToken);
            const permissions = await applyGrant(client, previous.bucketId, previous.accessKeyId, inputs.permissions);
            return { outs: { ...previous, ...inputs, permissions } };
        },

        /**
         * Deletes only what this resource created: the key if it made it, the bucket if it made it and it is empty.
         * An adopted bucket or key (and the grant given to it) is left alone: someone else owns it.
         */
        async delete(_id: string, props: Record<string, unknown>): Promise<void> {
            const state = props as unknown as BucketGrantOutputs;
            const client = adminClient(state.adminEndpoint, configuredToken);
            if (!state.adoptedBucket) {
                const bucket = await bucketById(client, state.bucketId);
                if (bucket) {
                    emptyBucketOrRefuse(bucket, state.bucket);
                    const answer = await client.call<unknown>("POST", "DeleteBucket", {
                        query: { id: state.bucketId },
                        expect: [404, 409],
                    });
                    // 409 BucketNotEmpty: objects arrived between the check and the delete.
                    if (answer.status === 409)
                        emptyBucketOrRefuse({ ...bucket, objects: Math.max(bucket.objects, 1) }, state.bucket);
                }
            }
            if (!state.adoptedKey) {
                await client.call("POST", "DeleteKey", { query: { id: state.accessKeyId }, expect: [404] });
            }
        },
    };
}
