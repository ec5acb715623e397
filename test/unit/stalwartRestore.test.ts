// What an adopted object goes back to (decision 012): only values the server takes back.
import { describe, expect, it } from "vitest";
import { extendRestore, restoreValues, UNSET_ID } from "../../components/stalwart/objectProvider/restore";
import { subsetFor } from "../../components/stalwart/schema/table";

describe("restoreValues", () => {
    it("a never-stored x:SystemSettings has nothing to go back to: its required defaults are the marks of unset values", () => {
        const before = {
            defaultHostname: "",
            defaultDomainId: UNSET_ID,
            maxConnections: 8192,
            defaultCertificateId: null,
        };
        expect(
            restoreValues(subsetFor("x:SystemSettings"), before, [
                "defaultHostname",
                "defaultDomainId",
                "maxConnections",
                "defaultCertificateId",
            ]),
        ).toEqual({ maxConnections: 8192, defaultCertificateId: null });
    });

    it("a first-boot listener goes back to its bind and PROXY trust; its immutable name is never written", () => {
        const https = {
            name: "https",
            bind: { "[::]:443": true },
            protocol: "http",
            useTls: true,
            tlsImplicit: true,
            overrideProxyTrustedNetworks: {},
        };
        expect(
            restoreValues(subsetFor("x:NetworkListener"), https, ["name", "bind", "overrideProxyTrustedNetworks"]),
        ).toEqual({ bind: { "[::]:443": true }, overrideProxyTrustedNetworks: {} });
    });

    it("secrets are never recorded (the server shows them as ****); a variant's @type is, with what its variant has", () => {
        expect(
            restoreValues(subsetFor("x:OAuthClient"), { clientId: "c", secret: "****", description: "app" }, [
                "secret",
                "description",
            ]),
        ).toEqual({ description: "app" });
        const s3 = {
            "@type": "S3",
            bucket: "old",
            secretKey: { "@type": "Value", secret: "****" },
            accessKey: { "@type": "EnvironmentVariable", variableName: "S3_KEY" },
        };
        expect(restoreValues(subsetFor("x:BlobStore"), s3, ["@type", "bucket", "secretKey", "accessKey"])).toEqual({
            "@type": "S3",
            bucket: "old",
            accessKey: { "@type": "EnvironmentVariable", variableName: "S3_KEY" },
        });
        expect(restoreValues(subsetFor("x:BlobStore"), { "@type": "Default" }, ["@type", "bucket"])).toEqual({
            "@type": "Default",
        });
    });

    it("an update that starts managing a property records its current value once; earlier records win", () => {
        const subset = subsetFor("x:Domain");
        const server = { name: "a.test", description: "now", catchAllAddress: "all@a.test" };
        expect(
            extendRestore(
                subset,
                { description: "at adoption" },
                server,
                { name: "a.test", description: "x" },
                { name: "a.test", description: "y", catchAllAddress: "c@a.test" },
            ),
        ).toEqual({
            description: "at adoption",
            catchAllAddress: "all@a.test",
        });
    });
});
