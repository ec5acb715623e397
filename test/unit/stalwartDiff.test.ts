// Diff, secret hashing and patch computation against the real generated descriptors.
import { describe, expect, it } from "vitest";
import { buildPatch, diffProperties, hashSecrets, MASK, redact, resetValue } from "../../components/stalwart/diff";
import { UNKNOWN } from "../../components/stalwart/normalize";
import { subsetFor } from "../../components/stalwart/schema/table";

type Obj = Record<string, unknown>;

/** State as the provider keeps it after writing `props` and reading `server` back. */
async function prior(type: string, props: Obj, server: Obj, salt = "salt") {
    const { redacted, secrets } = redact(subsetFor(type), props);
    return { managed: redacted, secretHashes: await hashSecrets(salt, secrets), server };
}
async function diff(type: string, before: Awaited<ReturnType<typeof prior>>, news: Obj, salt = "salt") {
    const { redacted, secrets } = redact(subsetFor(type), news);
    const hashes = await hashSecrets(salt, secrets);
    return { ...diffProperties(subsetFor(type), before, redacted, hashes), hashes };
}

const domainServer = {
    name: "example.test",
    aliases: { "a.test": true },
    isEnabled: true,
    description: null,
    dkimManagement: { "@type": "Manual" },
    createdAt: "2030-01-01T00:00:00Z",
};

describe("diff", () => {
    it("x:Domain: no-op, input change, drift", async () => {
        const props = { name: "example.test", aliases: { "a.test": true }, dkimManagement: { "@type": "Manual" } };
        const before = await prior("x:Domain", props, domainServer);
        expect((await diff("x:Domain", before, props)).changed).toEqual([]);
        expect((await diff("x:Domain", before, { ...props, description: "mail" })).changed).toEqual(["description"]);
        const drifted = await prior("x:Domain", props, {
            ...domainServer,
            aliases: { "a.test": true, "hand.test": true },
        });
        expect((await diff("x:Domain", drifted, props)).changed).toEqual(["aliases"]);
        expect((await diff("x:Domain", before, { ...props, description: UNKNOWN })).changed).toEqual(["description"]);
    });

    it("x:NetworkListener: an immutable name change replaces; same-name replace deletes first", async () => {
        const props = { name: "smtp", bind: { "[::]:25": true } };
        const before = await prior("x:NetworkListener", props, { ...props, protocol: "smtp", useTls: true });
        const renamed = await diff("x:NetworkListener", before, { name: "smtp2", bind: { "[::]:25": true } });
        expect(renamed).toMatchObject({ changed: ["name"], replaces: ["name"], deleteBeforeReplace: false });
        // The server has another name than the inputs say (e.g. the object was re-created by hand): the replacement keeps "smtp".
        const clash = await diff(
            "x:NetworkListener",
            { ...before, server: { ...before.server, name: "legacy" } },
            props,
        );
        expect(clash).toMatchObject({ replaces: ["name"], deleteBeforeReplace: false });
    });

    it("x:Account: @type change replaces and deletes first (name + domainId would clash)", async () => {
        const props = { "@type": "User", name: "alice", domainId: "b" };
        const before = await prior("x:Account", props, { ...props, credentials: {}, aliases: {} });
        expect(await diff("x:Account", before, { ...props, "@type": "Group" })).toMatchObject({
            replaces: ["@type"],
            deleteBeforeReplace: true,
        });
    });

    it("x:Tracer / x:BlobStore: a variant change replaces a collection object; a singleton's is an update", async () => {
        const tracer = await prior(
            "x:Tracer",
            { "@type": "Stdout", level: "info" },
            { "@type": "Stdout", level: "info", enable: true },
        );
        expect(await diff("x:Tracer", tracer, { "@type": "Log", path: "/var/log" })).toMatchObject({
            replaces: ["@type"],
            deleteBeforeReplace: false,
        });
        const blob = await prior("x:BlobStore", { "@type": "Default" }, { "@type": "Default" });
        expect(await diff("x:BlobStore", blob, { "@type": "S3", bucket: "b" })).toMatchObject({
            changed: ["@type", "bucket"],
            replaces: [],
            deleteBeforeReplace: false,
        });
    });

    it("secrets: compared by salted hash, never against the masked server value", async () => {
        const props = { clientId: "webmail", secret: "first" };
        const { redacted, secrets } = redact(subsetFor("x:OAuthClient"), props);
        expect(redacted).toEqual({ clientId: "webmail", secret: MASK });
        expect(secrets).toEqual({ secret: "first" });
        const hashes = await hashSecrets("salt", secrets);
        expect(hashes.secret).toMatch(/^[0-9a-f]{64}$/);
        expect(JSON.stringify(hashes)).not.toContain("first");
        expect(await hashSecrets("other", secrets)).not.toEqual(hashes);
        const before = await prior("x:OAuthClient", props, { clientId: "webmail", secret: MASK, redirectUris: {} });
        expect((await diff("x:OAuthClient", before, props)).changed).toEqual([]);
        const rotated = await diff("x:OAuthClient", before, { ...props, secret: "second" });
        expect(rotated.changed).toEqual(["secret"]);
        const patch = buildPatch(
            subsetFor("x:OAuthClient"),
            rotated.changed,
            { ...props, secret: "second" },
            before.server,
            rotated.hashes,
            before.secretHashes,
        );
        expect(patch).toEqual({ secret: "second" });
    });

    it("S3 secretKey: a Value-variant secret object is hashed inside and written whole only when it changed", async () => {
        const props = { "@type": "S3", bucket: "mail", secretKey: { "@type": "Value", secret: "k1" } };
        const server = { "@type": "S3", bucket: "mail", secretKey: { "@type": "Value", secret: MASK }, maxRetries: 3 };
        const before = await prior("x:BlobStore", props, server);
        expect(Object.keys(before.secretHashes)).toEqual(["secretKey/secret"]);
        expect((await diff("x:BlobStore", before, props)).changed).toEqual([]);
        const bucket = await diff("x:BlobStore", before, { ...props, bucket: "mail2" });
        expect(
            buildPatch(
                subsetFor("x:BlobStore"),
                bucket.changed,
                { ...props, bucket: "mail2" },
                server,
                bucket.hashes,
                before.secretHashes,
            ),
        ).toEqual({ bucket: "mail2" });
        const news = { ...props, secretKey: { "@type": "Value", secret: "k2" } };
        const rotated = await diff("x:BlobStore", before, news);
        expect(
            buildPatch(subsetFor("x:BlobStore"), rotated.changed, news, server, rotated.hashes, before.secretHashes),
        ).toEqual({ secretKey: { "@type": "Value", secret: "k2" } });
    });
});

describe("a property left out of the inputs", () => {
    const patchFor = async (type: string, props: Obj, server: Obj, news: Obj) => {
        const before = await prior(type, props, server);
        const d = await diff(type, before, news);
        return { ...d, patch: buildPatch(subsetFor(type), d.changed, news, server, d.hashes, before.secretHashes) };
    };

    it("is a change, reset to the default, null or {}; a variant whose default carries settings is only forgotten", async () => {
        const props = {
            name: "example.test",
            description: "hello",
            aliases: { "a.test": true },
            isEnabled: false,
            allowRelaying: true,
            dkimManagement: { "@type": "Manual" },
        };
        const server = { ...domainServer, ...props, reportAddressUri: "mailto:postmaster" };
        const d = await patchFor("x:Domain", props, server, { name: "example.test" });
        expect(d).toMatchObject({
            changed: ["description", "aliases", "isEnabled", "allowRelaying", "dkimManagement"],
            replaces: [],
        });
        // dkimManagement's default variant, Automatic, would have Stalwart generate DKIM keys: never written back
        expect(d.patch).toEqual({ description: null, aliases: {}, isEnabled: true, allowRelaying: false });
        // a default that is not null wins over nullability (x:Authentication maxApiKeys: its default, not "no limit")
        const auth = resetValue(
            subsetFor("x:Authentication"),
            { kind: "number", nullable: true, default: 5, update: "mutable" },
            "maxApiKeys",
        );
        expect(auth).toBe(5);
    });

    it("already at its reset value: still a change once (the state forgets it), no write", async () => {
        const props = { name: "example.test", description: "hello" };
        const d = await patchFor("x:Domain", props, { ...domainServer, description: null }, { name: "example.test" });
        expect(d.changed).toEqual(["description"]);
        expect(d.patch).toEqual({});
    });

    it("what cannot be reset is only forgotten: required without default, immutable, a secret variant, Account credentials", async () => {
        const settings = await patchFor(
            "x:SystemSettings",
            { defaultDomainId: "b", defaultHostname: "mail.a.test" },
            { defaultDomainId: "b", defaultHostname: "mail.a.test" },
            { defaultHostname: "mail.a.test" },
        );
        expect(settings).toMatchObject({ changed: ["defaultDomainId"], replaces: [], patch: {} });
        const acme = await patchFor(
            "x:AcmeProvider",
            { contact: { "a@a.test": true }, directory: "https://staging.test/dir" },
            { contact: { "a@a.test": true }, directory: "https://staging.test/dir" },
            { contact: { "a@a.test": true } },
        );
        expect(acme).toMatchObject({ changed: ["directory"], replaces: [], patch: {} });
        const s3 = { "@type": "S3", bucket: "mail", secretKey: { "@type": "Value", secret: "k1" } };
        const blob = await patchFor(
            "x:BlobStore",
            s3,
            { ...s3, secretKey: { "@type": "Value", secret: MASK } },
            { "@type": "S3", bucket: "mail" },
        );
        expect(blob).toMatchObject({ changed: ["secretKey"], patch: {} });
        const user = {
            "@type": "User",
            name: "alice",
            domainId: "b",
            credentials: { "0": { "@type": "Password", secret: "old pass phrase" } },
        };
        const account = await patchFor(
            "x:Account",
            user,
            {
                ...user,
                credentials: { "0": { "@type": "ApiKey", secret: MASK }, "1": { "@type": "Password", secret: MASK } },
            },
            { "@type": "User", name: "alice", domainId: "b" },
        );
        expect(account).toMatchObject({ changed: ["credentials"], patch: {} });
        expect(
            resetValue(
                subsetFor("x:BlobStore"),
                { kind: "object", objectName: "x:SecretKeyOptional", nullable: false, update: "mutable" },
                "secretKey",
            ),
        ).toEqual({ "@type": "None" });
    });

    it("singletons too: x:Authentication directoryId goes back to null", async () => {
        const d = await patchFor(
            "x:Authentication",
            { directoryId: "d", passwordMinLength: 12 },
            { directoryId: "d", passwordMinLength: 12 },
            { passwordMinLength: 12 },
        );
        expect(d).toMatchObject({ changed: ["directoryId"], patch: { directoryId: null } });
    });
});

describe("properties /get never returns (x:AcmeProvider eabKeyId, eabHmacKey)", () => {
    it("are compared with what was written and the secret hash, never with the server", async () => {
        const props = { contact: { "a@a.test": true }, eabKeyId: "kid", eabHmacKey: "hmac" };
        const server = {
            contact: { "a@a.test": true },
            directory: "https://acme-v02.api.letsencrypt.org/directory",
            challengeType: "TlsAlpn01",
        };
        const before = await prior("x:AcmeProvider", props, server);
        expect(before.managed).toEqual({ ...props, eabHmacKey: MASK });
        expect(await diff("x:AcmeProvider", before, props)).toMatchObject({ changed: [], replaces: [] });
        expect(await diff("x:AcmeProvider", before, { ...props, eabKeyId: "kid2" })).toMatchObject({
            changed: ["eabKeyId"],
            replaces: ["eabKeyId"],
        });
        expect(await diff("x:AcmeProvider", before, { ...props, eabHmacKey: "hmac2" })).toMatchObject({
            changed: ["eabHmacKey"],
            replaces: ["eabHmacKey"],
        });
    });
});

describe("buildPatch", () => {
    it("sets: element-level when smaller, whole when not; escapes '/' in members", () => {
        const subset = subsetFor("x:NetworkListener");
        const server = {
            overrideProxyTrustedNetworks: {
                "10.0.0.0/8": true,
                "10.1.0.0/16": true,
                "10.2.0.0/16": true,
                "10.3.0.0/16": true,
            },
        };
        const news = {
            overrideProxyTrustedNetworks: {
                "10.0.0.0/8": true,
                "10.1.0.0/16": true,
                "10.2.0.0/16": true,
                "192.168.0.0/16": true,
            },
        };
        expect(buildPatch(subset, ["overrideProxyTrustedNetworks"], news, server, {}, {})).toEqual({
            "overrideProxyTrustedNetworks/192.168.0.0~116": true,
            "overrideProxyTrustedNetworks/10.3.0.0~116": false,
        });
        expect(
            buildPatch(subset, ["bind"], { bind: { "[::]:26": true } }, { bind: { "[::]:25": true } }, {}, {}),
        ).toEqual({ bind: { "[::]:26": true } });
    });

    it("never writes serverSet or immutable properties on update", () => {
        const subset = subsetFor("x:NetworkListener");
        expect(
            buildPatch(subset, ["name", "useTls"], { name: "x", useTls: false }, { name: "y", useTls: true }, {}, {}),
        ).toEqual({ useTls: false });
    });

    it("x:Account credentials: patches credentials/<i>/secret, keeps app passwords and API keys", async () => {
        const subset = subsetFor("x:Account");
        const props = {
            "@type": "User",
            name: "alice",
            domainId: "b",
            credentials: { "0": { "@type": "Password", secret: "old pass phrase" } },
        };
        const server = {
            ...props,
            credentials: { "0": { "@type": "ApiKey", secret: MASK }, "1": { "@type": "Password", secret: MASK } },
        };
        const before = await prior("x:Account", props, server);
        expect(Object.keys(before.secretHashes)).toEqual(["credentials/0/secret"]);
        expect((await diff("x:Account", before, props)).changed).toEqual([]);
        const news = { ...props, credentials: { "0": { "@type": "Password", secret: "new pass phrase" } } };
        const d = await diff("x:Account", before, news);
        expect(d.changed).toEqual(["credentials"]);
        expect(buildPatch(subset, d.changed, news, server, d.hashes, before.secretHashes)).toEqual({
            "credentials/1/secret": "new pass phrase",
        });
    });
});
