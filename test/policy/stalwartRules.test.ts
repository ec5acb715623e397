// Rules on Stalwart's x:* objects (policy/rules/stalwart.ts): PROXY trust per listener, and secret
// fields (as the generated schema marks them) never in clear.
import { describe, expect, it } from "vitest";
import { TAILNET_RANGES } from "../../components/topology";
import type { ResourceView } from "../../policy/rules/resource";
import {
    clearSecretMessage,
    clearSecretPaths,
    proxyTrustViolations,
    stalwartObjectOf,
} from "../../policy/rules/stalwart";

const asSet = (items: readonly string[]) => Object.fromEntries(items.map((i) => [i, true]));
function xObject(objectType: string, properties: unknown, name = "mx-settings-obj"): ResourceView {
    return { type: `pulumi-nodejs:dynamic/stalwart:${objectType.slice(2)}`, name, props: { objectType, properties } };
}
const listener = (port: number, trust: readonly string[]) =>
    xObject("x:NetworkListener", {
        name: `l${port}`,
        bind: asSet([`[::]:${port}`]),
        protocol: port === 8080 ? "http" : "smtp",
        overrideProxyTrustedNetworks: asSet(trust),
    });

describe("stalwart-proxy-trust-per-listener", () => {
    it("passes mail listeners trusting the tailnet and a management listener trusting nothing", () => {
        expect(proxyTrustViolations(listener(25, TAILNET_RANGES))).toEqual([]);
        expect(proxyTrustViolations(listener(8080, []))).toEqual([]);
        expect(proxyTrustViolations(xObject("x:SystemSettings", { defaultHostname: "mail.infinidim.net" }))).toEqual(
            [],
        );
    });

    it("fails a listener trusting PROXY on the management port, and a global trust list", () => {
        expect(proxyTrustViolations(listener(8080, TAILNET_RANGES))).toEqual([
            expect.stringMatching(/binds \[::\]:8080 on the management port.*Remove overrideProxyTrustedNetworks/),
        ]);
        const listed = xObject("x:NetworkListener", {
            name: "http",
            bind: ["0.0.0.0:8080"],
            overrideProxyTrustedNetworks: ["100.64.0.0/10"],
        });
        expect(proxyTrustViolations(listed)).toHaveLength(1);
        expect(
            proxyTrustViolations(xObject("x:SystemSettings", { proxyTrustedNetworks: asSet(TAILNET_RANGES) })),
        ).toEqual([expect.stringMatching(/global proxyTrustedNetworks/)]);
    });

    it("uses the management port the stack names", () => {
        expect(proxyTrustViolations(listener(9090, TAILNET_RANGES))).toEqual([]);
        expect(proxyTrustViolations(listener(9090, TAILNET_RANGES), [8080, 9090])).toHaveLength(1);
    });

    it("applies to x:* dynamic resources only", () => {
        expect(
            stalwartObjectOf({ type: "pulumi-nodejs:dynamic/garage:BucketGrant", name: "g", props: { bucket: "b" } }),
        ).toBeUndefined();
        expect(
            stalwartObjectOf({
                type: "docker:index/container:Container",
                name: "c",
                props: { objectType: "x:SystemSettings" },
            }),
        ).toBeUndefined();
    });
});

/** How the tests spell a Pulumi secret; policy/index.ts passes the SDK's Secret class instead. */
class Sealed {
    constructor(readonly value: unknown) {}
}
const isSealed = (v: unknown) => v instanceof Sealed;

describe("stalwart-secrets-not-in-clear", () => {
    const s3 = (secretKey: unknown) => ({
        objectType: "x:BlobStore",
        properties: {
            "@type": "S3",
            bucket: "stalwart-mail",
            accessKey: { "@type": "EnvironmentVariable", variableName: "S3_ACCESS_KEY" },
            secretKey,
        },
    });

    it("passes secret fields given as references or as Pulumi secrets", () => {
        expect(
            clearSecretPaths(s3({ "@type": "EnvironmentVariable", variableName: "S3_SECRET_KEY" }), isSealed),
        ).toEqual([]);
        expect(clearSecretPaths(s3({ "@type": "File", filePath: "/run/secrets/s3" }), isSealed)).toEqual([]);
        expect(clearSecretPaths(s3(new Sealed({ "@type": "Value", secret: "s3cr3t" })), isSealed)).toEqual([]);
        expect(clearSecretPaths(s3({ "@type": "Value", secret: new Sealed("s3cr3t") }), isSealed)).toEqual([]);
        // the whole properties object as one secret (StalwartObject's choice when they arrive as an Output)
        expect(
            clearSecretPaths(
                { objectType: "x:BlobStore", properties: new Sealed(s3({ "@type": "Value", secret: "x" }).properties) },
                isSealed,
            ),
        ).toEqual([]);
    });

    it("fails a clear secret at any depth, the default variant included, naming the path and the fix", () => {
        const o = s3({ "@type": "Value", secret: "s3cr3t" });
        expect(clearSecretPaths(o, isSealed)).toEqual(["properties.secretKey.secret"]);
        // no @type: SecretKeyOptional's default variant (None) has no fields; SecretText's (Text) has the secret
        expect(clearSecretPaths(s3({ secret: "s3cr3t" }), isSealed)).toEqual([]);
        expect(
            clearSecretPaths(
                { objectType: "x:Certificate", properties: { privateKey: { secret: "-----BEGIN PRIVATE KEY-----" } } },
                isSealed,
            ),
        ).toEqual(["properties.privateKey.secret"]);
        expect(
            clearSecretPaths(
                { objectType: "x:OAuthClient", properties: { clientId: "webmail", secret: "hunter2" } },
                isSealed,
            ),
        ).toEqual(["properties.secret"]);
        const msg = clearSecretMessage("mx-settings-blob-store", o, ["properties.secretKey.secret"]);
        expect(msg).toMatch(
            /mx-settings-blob-store \(x:BlobStore\) sends properties.secretKey.secret in clear; pass it as a Pulumi secret .*EnvironmentVariable/,
        );
        expect(msg).not.toContain("s3cr3t");
    });

    it("finds secrets inside lists and maps of objects", () => {
        // x:Account credentials: a list of variant objects whose Password variant holds a secret
        const account = {
            objectType: "x:Account",
            properties: { "@type": "User", name: "bob", credentials: [{ "@type": "Password", secret: "pw" }] },
        };
        expect(clearSecretPaths(account, isSealed)).toEqual(["properties.credentials[0].secret"]);
        expect(
            clearSecretPaths(
                {
                    ...account,
                    properties: {
                        ...account.properties,
                        credentials: { "0": { "@type": "Password", secret: new Sealed("pw") } },
                    },
                },
                isSealed,
            ),
        ).toEqual([]);
    });

    it("says nothing about a type the schema does not know", () => {
        expect(clearSecretPaths({ objectType: "x:NoSuchThing", properties: { secret: "x" } }, isSealed)).toEqual([]);
    });
});
