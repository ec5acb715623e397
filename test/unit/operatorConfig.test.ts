// The operator keys from stack config to plan (oidc, accounts, groups): what each becomes, what is
// refused with the key and the fix, and what only warns. The others: operatorPlan.test.ts.
import { describe, expect, it } from "vitest";
import { Secret } from "../../components/config";
import { parseSize } from "../../components/config/schema";
import { formatPlan } from "../../components/plan/report";
import { expectIssue, ISSUER, planOf, raw, spec, warningsOf } from "../support/operatorConfig";

describe("oidc", () => {
    it("becomes an Oidc x:Directory with the one audience, bound by the convergence rather than by a spec", () => {
        const plan = planOf(
            raw(
                (r) =>
                    (r.oidc = {
                        issuerUrl: ISSUER,
                        audience: "stalwart-webui",
                        scopes: ["openid", "email", "profile"],
                        usernameDomain: "Infinidim.NET",
                    }),
            ),
        );
        expect(spec(plan, "oidc-directory")).toMatchObject({
            objectType: "x:Directory",
            properties: {
                "@type": "Oidc",
                issuerUrl: ISSUER,
                requireAudience: "stalwart-webui",
                requireScopes: { openid: true, email: true, profile: true },
                usernameDomain: "infinidim.net",
            },
        });
        expect(plan.stalwart.objects.some((o) => o.objectType === "x:Authentication")).toBe(false);
        expect(plan.stalwart.operator!.oidc).toMatchObject({
            directoryKey: "oidc-directory",
            webuiAudienceAccepted: true,
        });
        expect(plan.stalwart.operator!.oidc!.webui.redirectUris).toContain(
            "https://mail.infinidim.net/account/oauth/callback",
        );
    });

    it("refuses an issuer that is not a URL, and an unknown key", () => {
        expectIssue(
            raw((r) => (r.oidc = { issuerUrl: "id.infinidim.net", audience: "x" })),
            "oidc.issuerUrl",
            /issuer URL/,
        );
        expectIssue(
            raw((r) => (r.oidc = { issuerUrl: ISSUER, audience: "x", clientId: "bulwark" })),
            "oidc.clientId",
            /unknown key/,
        );
        expectIssue(
            raw((r) => (r.oidc = { issuerUrl: ISSUER })),
            "oidc.audience",
            /required/,
        );
    });

    it("warns when the web UI's tokens cannot carry the audience, and for a plain-http issuer", () => {
        const w = warningsOf(raw((r) => (r.oidc = { issuerUrl: "http://id.test/o/bulwark/", audience: "bulwark" })));
        expect(w.find((i) => i.path === "oidc.audience")?.message).toMatch(/stalwart-webui.*audience mapper/);
        expect(w.find((i) => i.path === "oidc.issuerUrl")?.message).toMatch(/plain http/);
        expect(warningsOf(raw((r) => (r.oidc = { issuerUrl: ISSUER, audience: "stalwart-webui" })))).toEqual([]);
        expect(formatPlan(planOf(raw((r) => (r.oidc = { issuerUrl: ISSUER, audience: "bulwark" }))))).toMatch(
            /WARNING: its tokens carry aud=stalwart-webui, not bulwark/,
        );
    });
});

describe("accounts", () => {
    it("become User accounts: local part, aliases in their domains (an extra x:Domain where needed), roles, quota, a password to hash", () => {
        const plan = planOf(
            raw(
                (r) =>
                    (r.accounts = [
                        {
                            name: "Alice",
                            aliases: ["postmaster", "a@other.test"],
                            roles: ["Admin"],
                            quota: "10GB",
                            password: "correct-horse-battery",
                        },
                        { name: "ops@other.test", roles: ["user"] },
                    ]),
            ),
        );
        const alice = spec(plan, "account-alice@infinidim.net")!;
        expect(alice.properties).toEqual({
            "@type": "User",
            name: "alice",
            aliases: { "0": { name: "postmaster" }, "1": { name: "a" } },
            roles: { "@type": "Admin" },
            quotas: { maxDiskQuota: 10_000_000_000 },
            credentials: { "0": { "@type": "Password" } },
        });
        expect(alice.refs).toEqual({
            domainId: "domain",
            "aliases.0.domainId": "domain",
            "aliases.1.domainId": "domain-other.test",
        });
        expect(alice.passwords!["credentials.0.secret"]).toBeInstanceOf(Secret);
        expect(spec(plan, "domain-other.test")).toMatchObject({
            objectType: "x:Domain",
            properties: { name: "other.test" },
        });
        expect(spec(plan, "account-ops@other.test")!.refs).toEqual({ domainId: "domain-other.test" });
        // nowhere in the printed plan or its JSON
        expect(formatPlan(plan)).not.toContain("correct-horse-battery");
        expect(JSON.stringify(plan)).not.toContain("correct-horse-battery");
        expect(formatPlan(plan)).toContain("credentials.0.secret=<argon2id hash of the password>");
    });

    it("an account without a password has no credentials (an OIDC user, made before its first sign-in)", () => {
        const bob = spec(planOf(raw((r) => (r.accounts = [{ name: "bob" }]))), "account-bob@infinidim.net")!;
        expect(bob.properties).toEqual({ "@type": "User", name: "bob" });
        expect(bob.passwords).toBeUndefined();
    });

    it("refuses what Stalwart would refuse or store wrong", () => {
        const one = (a: Record<string, unknown>) => raw((r) => (r.accounts = [a]));
        expectIssue(one({ name: "al ice" }), "accounts", /accounts\[0\]\.name "al ice" is not a mailbox name/);
        expectIssue(
            one({ name: "x", password: "$2b$10$abcdefghijklmnopqrstuv" }),
            "accounts",
            /looks like a 2b hash; only \$argon2id\$/,
        );
        expectIssue(one({ name: "x", password: "$argon2id$v=19$broken" }), "accounts", /not a whole argon2id hash/);
        expectIssue(one({ name: "x", password: "short" }), "accounts", /8 to 128 characters/);
        expectIssue(one({ name: "x", roles: ["admin", "user"] }), "accounts", /give one of user or admin/);
        expectIssue(one({ name: "tailwart-automation" }), "accounts", /keeps for its API key/);
        expectIssue(one({ name: "x", quota: "lots" }), "accounts.quota", /must be a size/);
        expectIssue(
            raw((r) => (r.accounts = [{ name: "a", aliases: ["info"] }, { name: "info" }])),
            "accounts",
            /accounts\[1\] uses info@infinidim.net, which accounts\[0\] already has/,
        );
    });

    it("an encrypted password (an offline plan) is planned without being read", () => {
        const plan = planOf(raw((r) => (r.accounts = [{ name: "x", password: { secure: "v1:abc" } }])));
        expect((spec(plan, "account-x@infinidim.net")!.passwords!["credentials.0.secret"] as Secret).encrypted).toBe(
            true,
        );
    });

    it("warns that a password is never accepted once OIDC is the default directory", () => {
        const w = warningsOf(
            raw((r) => {
                r.oidc = { issuerUrl: ISSUER, audience: "stalwart-webui" };
                r.accounts = [{ name: "x", password: "correct-horse-battery" }];
            }),
        );
        expect(w.map((i) => i.message).join("\n")).toMatch(
            /accounts\[0\]\.password is set while oidc .* app passwords/,
        );
    });

    it("warns when the stack file holds a password in clear, not when it is encrypted or handed over by the engine as a secret", () => {
        const clear = warningsOf(raw((r) => (r.accounts = [{ name: "x", password: "correct-horse-battery" }])));
        expect(clear.map((w) => w.message).join("\n")).toMatch(
            /accounts\[0\]\.password is in clear text .*--secret --path 'tailwart:accounts\[0\]\.password'/,
        );
        expect(warningsOf(raw((r) => (r.accounts = [{ name: "x", password: { secure: "v1:abc" } }])))).toEqual([]);
        expect(
            warningsOf(raw((r) => (r.accounts = [{ name: "x", password: new Secret("correct-horse-battery") }]))),
        ).toEqual([]);
    });

    it("sizes: bytes, SI and binary units", () => {
        expect([
            parseSize("2048"),
            parseSize("10GB"),
            parseSize("512 MiB"),
            parseSize("1.5k"),
            parseSize("lots"),
        ]).toEqual([2048, 10_000_000_000, 536_870_912, 1500, undefined]);
    });
});

describe("groups", () => {
    it("become Group accounts, listed before the users, whose memberGroupIds each member's ref fills", () => {
        const plan = planOf(
            raw((r) => {
                r.accounts = [{ name: "alice" }, { name: "bob" }];
                r.groups = [
                    { name: "team", aliases: ["all"], members: ["alice", "bob@infinidim.net"] },
                    { name: "ops", members: ["alice"] },
                ];
            }),
        );
        const keys = plan.stalwart.objects.map((o) => o.key);
        expect(spec(plan, "group-team@infinidim.net")).toMatchObject({
            objectType: "x:Account",
            properties: { "@type": "Group", name: "team", aliases: { "0": { name: "all" } } },
        });
        expect(keys.indexOf("group-ops@infinidim.net")).toBeLessThan(keys.indexOf("account-alice@infinidim.net"));
        expect(spec(plan, "account-alice@infinidim.net")!.refs).toEqual({
            domainId: "domain",
            "memberGroupIds[0]": "group-team@infinidim.net",
            "memberGroupIds[1]": "group-ops@infinidim.net",
        });
        expect(spec(plan, "account-bob@infinidim.net")!.refs).toEqual({
            domainId: "domain",
            "memberGroupIds[0]": "group-team@infinidim.net",
        });
    });

    it("refuses a member that is no account, and an address a user already has", () => {
        expectIssue(
            raw((r) => (r.groups = [{ name: "team", members: ["carol"] }])),
            "groups",
            /groups\[0\]\.members has "carol", which is no entry of accounts/,
        );
        expectIssue(
            raw((r) => {
                r.accounts = [{ name: "info" }];
                r.groups = [{ name: "team", aliases: ["info"] }];
            }),
            "groups",
            /groups\[0\] uses info@infinidim.net, which accounts\[0\] already has/,
        );
    });
});
