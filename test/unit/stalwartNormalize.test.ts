// check(): validation and normalization against the real generated descriptors.
import { describe, expect, it } from "vitest";
import {
    checkProperties,
    normalizeDomainName,
    parseDuration,
    UNKNOWN,
    unwrap,
} from "../../components/stalwart/normalize";
import { engineSecret } from "../support/providerHost";
import { LOWERCASE_PROPERTIES, stalwartProvider } from "../../components/stalwart/provider";
import { subsetFor } from "../../components/stalwart/schema/table";

const check = (type: string, props: unknown, creating = true) =>
    checkProperties(subsetFor(type), props, { creating, lowercase: LOWERCASE_PROPERTIES[type] ?? [] });
const reasons = (r: { failures: { property: string; reason: string }[] }) =>
    Object.fromEntries(r.failures.map((f) => [f.property, f.reason]));

describe("checkProperties", () => {
    it("x:Domain: lower-cases names, turns arrays into sets, keeps the wire encoding", () => {
        const r = check("x:Domain", {
            name: " Example.TEST ".trim(),
            aliases: ["Mail.Example.test", "b.test"],
            dkimManagement: { "@type": "Manual" },
        });
        expect(r.failures).toEqual([]);
        expect(r.properties).toEqual({
            name: "example.test",
            aliases: { "mail.example.test": true, "b.test": true },
            dkimManagement: { "@type": "Manual" },
        });
    });

    it("x:Domain: unknown property with a hint, serverSet, id, empty string, missing name", () => {
        const r = reasons(
            check("x:Domain", { nmae: "x.test", createdAt: "2030-01-01T00:00:00Z", id: "b", description: "" }),
        );
        expect(r["properties.nmae"]).toMatch(/unknown property \(did you mean "name"\?\)/);
        expect(r["properties.createdAt"]).toMatch(/set by the server/);
        expect(r["properties.id"]).toMatch(/assigned by the server/);
        expect(r["properties.description"]).toMatch(/empty strings .*use null/);
        expect(r["properties.name"]).toBe("is required");
    });

    it("x:NetworkListener: durations from strings, set minItems, enum hint", () => {
        const ok = check("x:NetworkListener", {
            name: "smtp",
            bind: ["[::]:25"],
            tlsTimeout: "1m30s",
            protocol: "smtp",
        });
        expect(ok.failures).toEqual([]);
        expect(ok.properties).toMatchObject({ bind: { "[::]:25": true }, tlsTimeout: 90_000 });
        const bad = reasons(check("x:NetworkListener", { name: "x", bind: [], tlsTimeout: "soon", protocol: "smpt" }));
        expect(bad["properties.bind"]).toMatch(/at least 1/);
        expect(bad["properties.tlsTimeout"]).toMatch(/not a duration/);
        expect(bad["properties.protocol"]).toMatch(/did you mean "smtp"/);
        expect(parseDuration("500ms")).toBe(500);
        expect(parseDuration("1h")).toBe(3_600_000);
        expect(parseDuration("30")).toBe(30);
    });

    it("x:Account: @type required, variant fields, lists from arrays, local part lower-cased", () => {
        expect(reasons(check("x:Account", { name: "a", domainId: "b" }))["properties.@type"]).toMatch(
            /missing; .*Group, User/,
        );
        expect(reasons(check("x:Account", { "@type": "Usr", name: "a", domainId: "b" }))["properties.@type"]).toMatch(
            /did you mean "User"/,
        );
        const r = check("x:Account", {
            "@type": "User",
            name: "Alice",
            domainId: "b",
            credentials: [{ "@type": "Password", secret: "correct horse battery" }],
        });
        expect(r.failures).toEqual([]);
        expect(r.properties).toEqual({
            "@type": "User",
            name: "alice",
            domainId: "b",
            credentials: { "0": { "@type": "Password", secret: "correct horse battery" } },
        });
        const missing = reasons(
            check("x:Account", { "@type": "User", name: "a", domainId: "b", credentials: [{ "@type": "Password" }] }),
        );
        expect(missing["properties.credentials[0].secret"]).toBe("is required");
    });

    it("x:SystemSettings / x:Authentication singletons: nothing required, null clears optionals", () => {
        expect(check("x:SystemSettings", { defaultHostname: "mail.example.test" }, false).failures).toEqual([]);
        const r = check("x:Authentication", { directoryId: null, passwordMinLength: 12 }, false);
        expect(r).toEqual({ properties: { directoryId: null, passwordMinLength: 12 }, failures: [] });
        expect(
            reasons(check("x:Authentication", { passwordMinLength: null }, false))["properties.passwordMinLength"],
        ).toMatch(/cannot be null/);
    });

    it("x:BlobStore S3: nested variants need @type and their required fields; the mask is refused", () => {
        const ok = check(
            "x:BlobStore",
            {
                "@type": "S3",
                bucket: "mail",
                region: { "@type": "Custom", customEndpoint: "http://s3.test", customRegion: "garage" },
                secretKey: { "@type": "Value", secret: "s3cr3t" },
            },
            false,
        );
        expect(ok.failures).toEqual([]);
        const bad = reasons(
            check(
                "x:BlobStore",
                {
                    "@type": "S3",
                    bucket: "mail",
                    region: { "@type": "Custom" },
                    secretKey: { "@type": "Value", secret: "****" },
                    accessKey: {},
                },
                false,
            ),
        );
        expect(bad["properties.region.customEndpoint"]).toBe("is required");
        expect(bad["properties.secretKey.secret"]).toMatch(/server's mask/);
        expect(bad["properties.accessKey.@type"]).toMatch(/missing/);
    });

    it("x:Tracer and x:OAuthClient: enums, sets of emails lower-cased, secret kept for the provider", () => {
        expect(check("x:Tracer", { "@type": "Stdout", level: "info", ansi: false }).failures).toEqual([]);
        expect(reasons(check("x:Tracer", { "@type": "Stdout", level: "verbose" }))["properties.level"]).toMatch(
            /one of error, warn, info, debug, trace/,
        );
        const r = check("x:OAuthClient", { clientId: "webmail", secret: "s3cret", contacts: ["Ops@Example.test"] });
        expect(r.properties).toEqual({ clientId: "webmail", secret: "s3cret", contacts: { "ops@example.test": true } });
    });

    it("never fails on the preview sentinel", () => {
        expect(check("x:Domain", UNKNOWN)).toEqual({ properties: UNKNOWN, failures: [] });
        const r = check("x:Account", { "@type": UNKNOWN, name: UNKNOWN, domainId: UNKNOWN, aliases: [UNKNOWN] });
        expect(r.failures).toEqual([]);
        expect(check("x:NetworkListener", { name: "smtp", bind: [UNKNOWN], tlsTimeout: UNKNOWN }).failures).toEqual([]);
    });

    it("x:Domain: Unicode names and aliases become lower-case IDNA A-labels; invalid names fail", () => {
        expect(normalizeDomainName("Bücher.Example.TEST")).toBe("xn--bcher-kva.example.test");
        expect(normalizeDomainName(" mail.example.test ")).toBe("mail.example.test");
        expect(normalizeDomainName("exa%mple.test")).toBeUndefined();
        const r = check("x:Domain", {
            name: "Bücher.TEST",
            aliases: ["MÜNCHEN.test", "xn--mnchen-3ya.test", "Mail.Example.test"],
            description: "Bücher & more",
        });
        expect(r.failures).toEqual([]);
        expect(r.properties).toEqual({
            name: "xn--bcher-kva.test",
            // the same domain spelled twice is one member
            aliases: { "xn--mnchen-3ya.test": true, "mail.example.test": true },
            description: "Bücher & more",
        });
        // the rule is the schema's, not the provider's lower-case list
        expect(checkProperties(subsetFor("x:Domain"), { name: "Bücher.TEST" }, { creating: true }).properties).toEqual({
            name: "xn--bcher-kva.test",
        });
        expect(reasons(check("x:Domain", { name: "exa%mple.test", aliases: ["ok.test", "bad<>.test"] }))).toEqual({
            "properties.name": 'not a valid domain name: "exa%mple.test"',
            "properties.aliases[1]": 'not a valid domain name: "bad<>.test"',
        });
    });

    it("x:Account and x:MailingList: alias local parts are lower-cased, their descriptions are not", () => {
        const r = check("x:Account", {
            "@type": "User",
            name: "Alice",
            domainId: "b",
            aliases: [{ name: "Postmaster", domainId: "b", description: "Mixed Case Stays" }],
        });
        expect(r.failures).toEqual([]);
        expect(r.properties).toMatchObject({
            name: "alice",
            aliases: { "0": { name: "postmaster", domainId: "b", description: "Mixed Case Stays" } },
        });
        const group = check("x:Account", {
            "@type": "Group",
            name: "Team",
            domainId: "b",
            aliases: { "0": { name: "Sales", domainId: "b" } },
        });
        expect(group.properties).toMatchObject({ name: "team", aliases: { "0": { name: "sales" } } });
        const list = check("x:MailingList", {
            name: "News",
            domainId: "b",
            aliases: [{ name: "Announce", domainId: "b", description: "Hi" }],
        });
        expect(list.properties).toMatchObject({
            name: "news",
            aliases: { "0": { name: "announce", description: "Hi" } },
        });
    });

    it("empty keys in sets and maps are rejected, naming the property", () => {
        expect(
            reasons(check("x:Domain", { name: "example.test", aliases: { "": true } }))["properties.aliases"],
        ).toMatch(/empty keys .* are rejected/);
        expect(
            reasons(check("x:Domain", { name: "example.test", aliases: ["ok.test", " "] }))["properties.aliases"],
        ).toMatch(/empty keys .* are rejected/);
        // a number set would otherwise turn "" into 0
        const listener = check("x:NetworkListener", {
            name: "smtp",
            bind: ["[::]:25"],
            overrideProxyTrustedNetworks: { "": true },
        });
        expect(reasons(listener)["properties.overrideProxyTrustedNetworks"]).toMatch(/empty keys/);
        const headers = check("x:Http", { responseHeaders: { "": "x", "X-Ok": "1", "  ": "y" } }, false);
        expect(reasons(headers)["properties.responseHeaders"]).toMatch(/empty keys .* are rejected/);
        expect(headers.failures).toHaveLength(2);
        expect(headers.properties).toEqual({ responseHeaders: { "X-Ok": "1" } });
        const enumMap = reasons(check("x:Account", { "@type": "User", name: "a", domainId: "b", quotas: { "": 1 } }));
        expect(enumMap["properties.quotas"]).toMatch(/empty keys .* are rejected/);
    });

    it("secret envelopes at any depth are unwrapped; their values and secret fields are never shown in a reason", () => {
        const ok = check("x:OAuthClient", {
            clientId: engineSecret("web"),
            secret: engineSecret("s3cret"),
            contacts: [engineSecret("Ops@A.test")],
        });
        expect(ok).toEqual({
            properties: { clientId: "web", secret: "s3cret", contacts: { "ops@a.test": true } },
            failures: [],
        });
        const whole = check(
            "x:BlobStore",
            engineSecret({
                "@type": "S3",
                bucket: "mail",
                secretKey: { "@type": "Value", secret: engineSecret(engineSecret("k1")) },
            }),
            false,
        );
        expect(whole).toEqual({
            properties: { "@type": "S3", bucket: "mail", secretKey: { "@type": "Value", secret: "k1" } },
            failures: [],
        });
        expect(unwrap({ a: [engineSecret({ b: engineSecret(1) })] })).toEqual({ a: [{ b: 1 }] });

        const bad = check("x:OAuthClient", {
            clientId: engineSecret(424242),
            secret: 131313,
            expiresAt: engineSecret("soon-ish"),
        });
        expect(reasons(bad)).toEqual({
            "properties.clientId": "expected a string",
            "properties.secret": "expected a string",
            "properties.expiresAt": "expected a date-time such as 2030-01-01T00:00:00Z",
        });
        const listener = reasons(
            check("x:NetworkListener", {
                name: "smtp",
                bind: ["[::]:25"],
                protocol: engineSecret("smpt-secret"),
                tlsTimeout: engineSecret("later-secret"),
            }),
        );
        expect(JSON.stringify(listener)).not.toMatch(/secret/);
        expect(listener["properties.protocol"]).toMatch(/^the value is not a valid value/);
        expect(listener["properties.tlsTimeout"]).toMatch(/^the value is not a duration/);
        const domain = reasons(check("x:Domain", engineSecret({ name: "exa%mple.test", aliases: "hidden-alias" })));
        expect(domain).toEqual({
            "properties.name": "not a valid domain name",
            "properties.aliases": "expected an array or an object of {item: true}",
        });
        // outside envelopes, values are still shown
        expect(reasons(check("x:OAuthClient", { clientId: 424242 }))["properties.clientId"]).toBe(
            "expected a string, got 424242",
        );
    });

    it("normalizes inside the bundled provider too (node:url required at run time)", async () => {
        const provider = stalwartProvider("x:Domain");
        const r = await provider.check!(
            {},
            { objectType: "x:Domain", properties: { name: "Bücher.TEST", aliases: { "": true } } },
        );
        expect(r.inputs.properties).toEqual({ name: "xn--bcher-kva.test", aliases: {} });
        expect(r.failures?.map((f) => f.property)).toEqual(["properties.aliases"]);
    });
});
