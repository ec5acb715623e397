// check(): validation and normalization against the real generated descriptors.
import { describe, expect, it } from "vitest";
import { checkProperties, parseDuration, UNKNOWN } from "../../components/stalwart/normalize";
import { LOWERCASE_PROPERTIES } from "../../components/stalwart/provider";
import { subsetFor } from "../../components/stalwart/schema/table";

const check = (type: string, props: unknown, creating = true) =>
    checkProperties(subsetFor(type), props, { creating, lowercase: LOWERCASE_PROPERTIES[type] ?? [] });
const reasons = (r: { failures: { property: string; reason: string }[] }) => Object.fromEntries(r.failures.map((f) => [f.property, f.reason]));

describe("checkProperties", () => {
    it("x:Domain: lower-cases names, turns arrays into sets, keeps the wire encoding", () => {
        const r = check("x:Domain", { name: " Example.TEST ".trim(), aliases: ["Mail.Example.test", "b.test"], dkimManagement: { "@type": "Manual" } });
        expect(r.failures).toEqual([]);
        expect(r.properties).toEqual({ name: "example.test", aliases: { "mail.example.test": true, "b.test": true }, dkimManagement: { "@type": "Manual" } });
    });

    it("x:Domain: unknown property with a hint, serverSet, id, empty string, missing name", () => {
        const r = reasons(check("x:Domain", { nmae: "x.test", createdAt: "2030-01-01T00:00:00Z", id: "b", description: "" }));
        expect(r["properties.nmae"]).toMatch(/unknown property \(did you mean "name"\?\)/);
        expect(r["properties.createdAt"]).toMatch(/set by the server/);
        expect(r["properties.id"]).toMatch(/assigned by the server/);
        expect(r["properties.description"]).toMatch(/empty strings .*use null/);
        expect(r["properties.name"]).toBe("is required");
    });

    it("x:NetworkListener: durations from strings, set minItems, enum hint", () => {
        const ok = check("x:NetworkListener", { name: "smtp", bind: ["[::]:25"], tlsTimeout: "1m30s", protocol: "smtp" });
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
        expect(reasons(check("x:Account", { name: "a", domainId: "b" }))["properties.@type"]).toMatch(/missing; .*Group, User/);
        expect(reasons(check("x:Account", { "@type": "Usr", name: "a", domainId: "b" }))["properties.@type"]).toMatch(/did you mean "User"/);
        const r = check("x:Account", { "@type": "User", name: "Alice", domainId: "b", credentials: [{ "@type": "Password", secret: "correct horse battery" }] });
        expect(r.failures).toEqual([]);
        expect(r.properties).toEqual({ "@type": "User", name: "alice", domainId: "b", credentials: { "0": { "@type": "Password", secret: "correct horse battery" } } });
        const missing = reasons(check("x:Account", { "@type": "User", name: "a", domainId: "b", credentials: [{ "@type": "Password" }] }));
        expect(missing["properties.credentials[0].secret"]).toBe("is required");
    });

    it("x:SystemSettings / x:Authentication singletons: nothing required, null clears optionals", () => {
        expect(check("x:SystemSettings", { defaultHostname: "mail.example.test" }, false).failures).toEqual([]);
        const r = check("x:Authentication", { directoryId: null, passwordMinLength: 12 }, false);
        expect(r).toEqual({ properties: { directoryId: null, passwordMinLength: 12 }, failures: [] });
        expect(reasons(check("x:Authentication", { passwordMinLength: null }, false))["properties.passwordMinLength"]).toMatch(/cannot be null/);
    });

    it("x:BlobStore S3: nested variants need @type and their required fields; the mask is refused", () => {
        const ok = check("x:BlobStore", { "@type": "S3", bucket: "mail", region: { "@type": "Custom", customEndpoint: "http://s3.test", customRegion: "garage" }, secretKey: { "@type": "Value", secret: "s3cr3t" } }, false);
        expect(ok.failures).toEqual([]);
        const bad = reasons(check("x:BlobStore", { "@type": "S3", bucket: "mail", region: { "@type": "Custom" }, secretKey: { "@type": "Value", secret: "****" }, accessKey: {} }, false));
        expect(bad["properties.region.customEndpoint"]).toBe("is required");
        expect(bad["properties.secretKey.secret"]).toMatch(/server's mask/);
        expect(bad["properties.accessKey.@type"]).toMatch(/missing/);
    });

    it("x:Tracer and x:OAuthClient: enums, sets of emails lower-cased, secret kept for the provider", () => {
        expect(check("x:Tracer", { "@type": "Stdout", level: "info", ansi: false }).failures).toEqual([]);
        expect(reasons(check("x:Tracer", { "@type": "Stdout", level: "verbose" }))["properties.level"]).toMatch(/one of error, warn, info, debug, trace/);
        const r = check("x:OAuthClient", { clientId: "webmail", secret: "s3cret", contacts: ["Ops@Example.test"] });
        expect(r.properties).toEqual({ clientId: "webmail", secret: "s3cret", contacts: { "ops@example.test": true } });
    });

    it("never fails on the preview sentinel", () => {
        expect(check("x:Domain", UNKNOWN)).toEqual({ properties: UNKNOWN, failures: [] });
        const r = check("x:Account", { "@type": UNKNOWN, name: UNKNOWN, domainId: UNKNOWN, aliases: [UNKNOWN] });
        expect(r.failures).toEqual([]);
        expect(check("x:NetworkListener", { name: "smtp", bind: [UNKNOWN], tlsTimeout: UNKNOWN }).failures).toEqual([]);
    });
});
