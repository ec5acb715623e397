// The Garage BucketGrant provider, serialized and run by the SDK's own dynamic-provider host over gRPC,
// against the in-process Garage admin API simulator.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { shippedBucketGrantProvider } from "../../components/backends/garage/bucket";
import { GarageAdminSimulator } from "../support/garageAdmin";
import { type PlainObject, ProviderHost, ProviderHostError, serializeProvider, UNKNOWN } from "../support/providerHost";

const TYPE = "pulumi-nodejs:dynamic/garage:BucketGrant";
const RW = { read: true, write: true, owner: false };

let sim: GarageAdminSimulator;
let host: ProviderHost;
let providerText: string;
const extraHosts: ProviderHost[] = [];

function inputs(overrides: PlainObject = {}): PlainObject {
    return {
        adminEndpoint: sim.url,
        bucket: "mail-blobs",
        keyName: "stalwart",
        permissions: RW,
        __provider: providerText,
        ...overrides,
    };
}

async function checked(news: PlainObject): Promise<PlainObject> {
    const result = await host.check({}, news, { type: TYPE });
    expect(result.failures).toEqual([]);
    return result.inputs;
}

async function failureOf(promise: Promise<unknown>): Promise<ProviderHostError> {
    const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProviderHostError);
    return error as ProviderHostError;
}

async function startHost(options: Parameters<typeof ProviderHost.start>[0]): Promise<ProviderHost> {
    const started = await ProviderHost.start({ env: { GARAGE_ADMIN_TOKEN: undefined }, ...options });
    extraHosts.push(started);
    return started;
}

beforeAll(async () => {
    const started = Date.now();
    sim = await GarageAdminSimulator.start();
    providerText = await serializeProvider(shippedBucketGrantProvider());
    host = await ProviderHost.start({
        config: { "garage:adminToken": sim.token },
        env: { GARAGE_ADMIN_TOKEN: undefined },
    });
    console.log(
        `garage: simulator + provider host ready in ${Date.now() - started} ms; __provider ${providerText.length} B`,
    );
});

afterAll(async () => {
    await Promise.all([host?.stop(), ...extraHosts.map((h) => h.stop())]);
    await sim?.stop();
});

afterEach(() => {
    sim.buckets.clear();
    sim.keys.clear();
    sim.latencyMs = 0;
    sim.resetRequests();
    expect(sim.pendingFaults()).toBe(0);
});

describe("check", () => {
    it("reports one failure per bad property and normalizes the endpoint", async () => {
        const bad = await host.check(
            {},
            inputs({
                adminEndpoint: "https://garage.example",
                bucket: "Mail_Blobs",
                keyName: " ",
                permissions: { read: "yes", write: true, owner: false },
            }),
            { type: TYPE },
        );
        expect(bad.failures.map((f) => f.property)).toEqual(["adminEndpoint", "bucket", "keyName", "permissions.read"]);
        expect(bad.failures[0]?.reason).toContain("explicit port");
        expect(bad.failures[1]?.reason).toContain('"Mail_Blobs"');
        for (const name of ["ab", "-blobs", "blobs..x", "192.168.1.10", "xn--blobs", "blobs-s3alias"]) {
            const result = await host.check({}, inputs({ bucket: name }), { type: TYPE });
            expect(result.failures, name).toEqual([expect.objectContaining({ property: "bucket" })]);
        }
        const good = await checked(inputs({ adminEndpoint: `${sim.url}/` }));
        expect(good.adminEndpoint).toBe(sim.url);
    });

    it("does not judge values unknown during preview", async () => {
        const result = await host.check({}, inputs({ adminEndpoint: UNKNOWN, bucket: UNKNOWN }), { type: TYPE });
        expect(result.failures).toEqual([]);
    });
});

describe("create", () => {
    it("creates bucket and key, grants them, and returns the credentials", async () => {
        const started = Date.now();
        const { id, properties } = await host.create(await checked(inputs()), { type: TYPE });
        console.log(
            `garage: create (fresh bucket + key + grant) ${Date.now() - started} ms, ${sim.requestCount()} admin requests`,
        );
        const bucket = sim.bucketByAlias("mail-blobs");
        const [key] = sim.keysNamed("stalwart");
        expect(bucket && key).toBeTruthy();
        expect(id).toBe(`${bucket?.id}/${key?.id}`);
        expect(properties).toMatchObject({
            bucketId: bucket?.id,
            accessKeyId: key?.id,
            secretAccessKey: key?.secret,
            adoptedBucket: false,
            adoptedKey: false,
            permissions: RW,
        });
        expect(sim.permissionsOf("mail-blobs", key?.id ?? "")).toEqual(RW);
    });

    it("adopts a bucket and a key made by hand instead of failing", async () => {
        const headers = { Authorization: `Bearer ${sim.token}` };
        await fetch(`${sim.url}/v2/CreateBucket`, {
            method: "POST",
            headers,
            body: JSON.stringify({ globalAlias: "mail-blobs" }),
        });
        const made = (await (
            await fetch(`${sim.url}/v2/CreateKey`, { method: "POST", headers, body: '{"name":"stalwart"}' })
        ).json()) as PlainObject;
        const { properties } = await host.create(await checked(inputs()), { type: TYPE });
        expect(properties).toMatchObject({
            adoptedBucket: true,
            adoptedKey: true,
            accessKeyId: made.accessKeyId,
            secretAccessKey: made.secretAccessKey,
        });
        expect(sim.buckets.size).toBe(1);
        expect(sim.keys.size).toBe(1);
        expect(sim.permissionsOf("mail-blobs", String(made.accessKeyId))).toEqual(RW);
    });

    it("is idempotent: a second create adopts what the first made, with no duplicates", async () => {
        const first = await host.create(await checked(inputs()), { type: TYPE });
        const second = await host.create(await checked(inputs()), { type: TYPE, name: "again" });
        expect(second.id).toBe(first.id);
        expect(second.properties).toMatchObject({
            adoptedBucket: true,
            adoptedKey: true,
            secretAccessKey: first.properties.secretAccessKey,
        });
        expect(sim.buckets.size).toBe(1);
        expect(sim.keys.size).toBe(1);
    });

    it("refuses to guess between two keys with the same name", async () => {
        const headers = { Authorization: `Bearer ${sim.token}` };
        for (let i = 0; i < 2; i++)
            await fetch(`${sim.url}/v2/CreateKey`, { method: "POST", headers, body: '{"name":"stalwart"}' });
        const error = await failureOf(host.create(await checked(inputs()), { type: TYPE }));
        expect(error.details).toContain('2 access keys named "stalwart"');
        // The bucket it made before finding the clash is rolled back.
        expect(sim.buckets.size).toBe(0);
    });
});

describe("diff and update", () => {
    it("replaces on identity changes (delete first when a name is kept) and updates permissions in place", async () => {
        const olds = {
            ...inputs(),
            bucketId: "b",
            accessKeyId: "k",
            secretAccessKey: "s",
            adoptedBucket: false,
            adoptedKey: false,
        };
        const diff = (news: PlainObject) => host.diff("b/k", olds, news, { type: TYPE });
        expect(await diff(inputs())).toMatchObject({ changes: "none", replaces: [] });
        expect(await diff(inputs({ adminEndpoint: `${sim.url}/` }))).toMatchObject({ changes: "none" });
        expect(await diff(inputs({ permissions: { ...RW, owner: true } }))).toMatchObject({
            changes: "some",
            replaces: [],
            deleteBeforeReplace: false,
        });
        expect(await diff(inputs({ bucket: "other-blobs" }))).toMatchObject({
            changes: "some",
            replaces: ["bucket"],
            deleteBeforeReplace: true,
        });
        expect(await diff(inputs({ keyName: "other" }))).toMatchObject({
            replaces: ["keyName"],
            deleteBeforeReplace: true,
        });
        expect(await diff(inputs({ bucket: "other-blobs", keyName: "other" }))).toMatchObject({
            deleteBeforeReplace: false,
        });
        expect(await diff(inputs({ adminEndpoint: "http://garage2.example:3903" }))).toMatchObject({
            replaces: ["adminEndpoint"],
        });
        expect(await diff(inputs({ bucket: UNKNOWN }))).toMatchObject({ changes: "some", replaces: ["bucket"] });
    });

    it("update converges the grant to exactly the wanted permissions", async () => {
        const { id, properties } = await host.create(await checked(inputs()), { type: TYPE });
        const wanted = { read: true, write: false, owner: true };
        const { properties: updated } = await host.update(
            id,
            properties,
            await checked(inputs({ permissions: wanted })),
            { type: TYPE },
        );
        expect(updated).toMatchObject({
            permissions: wanted,
            bucketId: properties.bucketId,
            secretAccessKey: properties.secretAccessKey,
        });
        expect(sim.permissionsOf("mail-blobs", String(properties.accessKeyId))).toEqual(wanted);
    });
});

describe("read", () => {
    it("shows permissions changed by hand and returns matching inputs", async () => {
        const { id, properties } = await host.create(await checked(inputs()), { type: TYPE });
        sim.setPermissions("mail-blobs", String(properties.accessKeyId), { read: true, write: false, owner: false });
        const read = await host.read(id, properties, undefined, { type: TYPE });
        expect(read.id).toBe(id);
        expect(read.properties.permissions).toEqual({ read: true, write: false, owner: false });
        expect(read.inputs).toMatchObject({
            bucket: "mail-blobs",
            keyName: "stalwart",
            permissions: { read: true, write: false, owner: false },
        });
    });

    it("reads as gone when the bucket or the key was deleted by hand", async () => {
        const first = await host.create(await checked(inputs()), { type: TYPE });
        sim.dropKey(String(first.properties.accessKeyId));
        expect((await host.read(first.id, first.properties, undefined, { type: TYPE })).id).toBe("");
        const second = await host.create(await checked(inputs({ keyName: "stalwart-2" })), { type: TYPE });
        sim.dropBucket("mail-blobs");
        expect((await host.read(second.id, second.properties, undefined, { type: TYPE })).id).toBe("");
    });
});

describe("delete", () => {
    it("refuses to delete a non-empty bucket, then deletes the emptied bucket and its key", async () => {
        const { id, properties } = await host.create(await checked(inputs()), { type: TYPE });
        sim.putObject("mail-blobs", "blob/0001", 2048);
        const refused = await failureOf(host.delete(id, properties, { type: TYPE }));
        expect(refused.details).toContain('refusing to delete Garage bucket "mail-blobs"');
        expect(refused.details).toContain("1 objects");
        expect(refused.details).toContain("retainOnDelete: true");
        expect(sim.bucketByAlias("mail-blobs")).toBeDefined();
        expect(sim.keys.size).toBe(1);

        sim.bucketByAlias("mail-blobs")?.objects.clear();
        await host.delete(id, properties, { type: TYPE });
        expect(sim.buckets.size).toBe(0);
        expect(sim.keys.size).toBe(0);
    });

    it("leaves an adopted bucket and key alone", async () => {
        await host.create(await checked(inputs()), { type: TYPE });
        const adopted = await host.create(await checked(inputs()), { type: TYPE, name: "adopter" });
        sim.resetRequests();
        await host.delete(adopted.id, adopted.properties, { type: TYPE });
        expect(sim.buckets.size).toBe(1);
        expect(sim.keys.size).toBe(1);
        expect(sim.requestCount("DeleteBucket") + sim.requestCount("DeleteKey")).toBe(0);
    });
});

describe("errors and retries", () => {
    it("names the endpoint path and Garage's message on a 4xx, without retrying", async () => {
        sim.injectFault(
            { kind: "status", status: 400, code: "InvalidRequest", message: "Bad request: quota exceeded" },
            { endpoint: "CreateBucket" },
        );
        const error = await failureOf(host.create(await checked(inputs()), { type: TYPE }));
        expect(error.details).toContain("POST /v2/CreateBucket");
        expect(error.details).toContain("HTTP 400 InvalidRequest: Bad request: quota exceeded");
        expect(sim.requestCount("CreateBucket")).toBe(1);
    });

    it("retries a transient 503 and a dropped connection, then succeeds", async () => {
        sim.injectFault({ kind: "status", status: 503 }, { endpoint: "GetBucketInfo" });
        sim.injectFault({ kind: "drop" }, { endpoint: "ListKeys" });
        const started = Date.now();
        const { properties } = await host.create(await checked(inputs()), { type: TYPE });
        console.log(`garage: create with one 503 and one dropped connection ${Date.now() - started} ms`);
        expect(properties.adoptedBucket).toBe(false);
        expect(sim.requests.filter((r) => r.endpoint === "GetBucketInfo" && r.status === 503)).toHaveLength(1);
        expect(sim.requestCount("ListKeys")).toBe(2);
    });

    it("does not duplicate or disown what a request made before its answer was lost", async () => {
        sim.injectFault({ kind: "drop", afterHandling: true }, { endpoint: "CreateBucket" });
        sim.injectFault({ kind: "drop", afterHandling: true }, { endpoint: "ImportKey" });
        const { properties } = await host.create(await checked(inputs()), { type: TYPE });
        expect(properties).toMatchObject({ adoptedBucket: false, adoptedKey: false });
        expect(sim.buckets.size).toBe(1);
        expect(sim.keys.size).toBe(1);
        expect(sim.keysNamed("stalwart")[0]?.secret).toBe(properties.secretAccessKey);
    });

    it("gives up after bounded retries on a persistent 5xx", async () => {
        sim.injectFault({ kind: "status", status: 503 }, { endpoint: "GetBucketInfo", times: 4 });
        const error = await failureOf(host.create(await checked(inputs()), { type: TYPE }));
        expect(error.details).toContain("GET /v2/GetBucketInfo?globalAlias=mail-blobs");
        expect(error.details).toContain("failed after 4 attempts: HTTP 503 ServiceUnavailable");
    });

    it("reports a bad token clearly and never shows it", async () => {
        const wrongToken = "wrong-token-5f2c9a";
        const badHost = await startHost({ config: { "garage:adminToken": wrongToken } });
        const error = await failureOf(badHost.create(await checked(inputs()), { type: TYPE }));
        expect(error.details).toContain("HTTP 403 AccessDenied: Forbidden: Invalid authorization token provided");
        expect(error.details).toContain("GARAGE_ADMIN_TOKEN");
        expect(error.details).not.toContain(wrongToken);
        expect(badHost.stderr).not.toContain(wrongToken);
    });

    it("takes the stack config's garage:adminToken before env GARAGE_ADMIN_TOKEN (decision 008), the env when the config has none, and says how to set one when neither is there", async () => {
        const configFirst = await startHost({
            config: { "garage:adminToken": sim.token },
            env: { GARAGE_ADMIN_TOKEN: "stale-env-token" },
        });
        expect((await configFirst.create(await checked(inputs()), { type: TYPE })).properties.adoptedBucket).toBe(
            false,
        );
        const staleConfig = await startHost({
            config: { "garage:adminToken": "stale-config-token" },
            env: { GARAGE_ADMIN_TOKEN: sim.token },
        });
        const refused = await failureOf(staleConfig.create(await checked(inputs({ bucket: "other" })), { type: TYPE }));
        expect(refused.details).toContain("HTTP 403");
        expect(refused.details).toContain("config garage:adminToken");
        expect(refused.details).not.toContain("stale-config-token");
        const envOnly = await startHost({ env: { GARAGE_ADMIN_TOKEN: sim.token } });
        expect(
            (await envOnly.create(await checked(inputs({ bucket: "env-only" })), { type: TYPE })).properties
                .adoptedBucket,
        ).toBe(false);
        const bareHost = await startHost({});
        const error = await failureOf(bareHost.create(await checked(inputs()), { type: TYPE }));
        expect(error.details).toContain("no Garage admin token");
        expect(error.details).toContain("pulumi config set --secret garage:adminToken");
    });
});
