// The providers the operator keys ship (PasswordHash, StalwartDnsRecords): small bundled shells
// with nothing but node builtins required at run time, hashing once, and reading zone text into
// records to publish.
import * as pulumi from "@pulumi/pulumi";
import { argon2Verify } from "hash-wasm";
import { describe, expect, it } from "vitest";
import { bundleOf, unpack } from "../../components/bundledProvider";
import { recordsOf } from "../../components/stalwart/dnsRecordsProvider";
import { shippedDnsRecordsProvider } from "../../components/stalwart/dnsRecords";
import { shippedPasswordHashProvider } from "../../components/stalwart/passwordHash";
import { passwordHashProvider } from "../../components/stalwart/passwordHashProvider";
import { PROJECT_ROOT } from "../support/stackConfig";

const source = unpack;
const requiresOf = (text: string) => [...new Set([...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!))];

describe("shipped operator providers", () => {
    for (const [name, entry, shipped, npm] of [
        ["PasswordHash", "components/stalwart/passwordHashProvider", shippedPasswordHashProvider, ["hash-wasm"]],
        ["StalwartDnsRecords", "components/stalwart/dnsRecordsProvider", shippedDnsRecordsProvider, []],
    ] as const) {
        it(`${name}: requires node builtins${npm.length ? ` and ${npm.join(", ")}` : ""} only, never the SDK, under 20 KB serialized`, async () => {
            const text = source(bundleOf(`${PROJECT_ROOT}/${entry}`));
            expect(requiresOf(text).filter((r) => !r.startsWith("node:"))).toEqual(npm);
            expect(text).not.toMatch(/ZodError|@pulumi\/pulumi|grpc/);
            const provider = shipped();
            const { text: serialized } = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
            expect(serialized.length).toBeLessThan(20_000);
        });
    }
});

describe("PasswordHash: hashed once, in check", () => {
    const provider = passwordHashProvider();

    it("keeps a digest, a salt and the argon2id hash in place of the password; the same password never hashes again", async () => {
        const first = await provider.check!({}, { password: "correct-horse-battery" });
        const kept = first.inputs.password as { digest: string; salt: string; hash: string };
        expect(JSON.stringify(first.inputs)).not.toContain("correct-horse-battery");
        expect(kept.hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
        expect(await argon2Verify({ password: "correct-horse-battery", hash: kept.hash })).toBe(true);
        const again = await provider.check!(first.inputs, { password: "correct-horse-battery" });
        expect(again.inputs.password).toEqual(kept);
        expect((await provider.diff!("id", { ...first.inputs, hash: kept.hash }, again.inputs)).changes).toBe(false);
        const changed = await provider.check!(first.inputs, { password: "another-horse-battery" });
        expect((changed.inputs.password as { hash: string }).hash).not.toBe(kept.hash);
        expect((await provider.diff!("id", first.inputs, changed.inputs)).changes).toBe(true);
    });

    it("stores an $argon2id$ value as given, and refuses an empty one", async () => {
        const given = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";
        expect(((await provider.check!({}, { password: given })).inputs.password as { hash: string }).hash).toBe(given);
        expect((await provider.check!({}, { password: "" })).failures).toEqual([
            { property: "password", reason: expect.stringMatching(/plaintext/) },
        ]);
    });
});

describe("DNS records from Stalwart's zone text", () => {
    it("reads names, joins split TXT strings, and says what each record is for", () => {
        const zone = [
            "$ORIGIN infinidim.net.",
            "@ 3600 IN MX 10 mail.infinidim.net.",
            '@ IN TXT "v=spf1 mx ra=postmaster -all"',
            'mail IN TXT "v=spf1 a ra=postmaster -all"',
            'v1-rsa-20260101._domainkey IN TXT ( "v=DKIM1; k=rsa; p=MIIBIjAN" "BgkqhkiG9w0B" )',
            '_dmarc IN TXT "v=DMARC1; p=reject; rua=mailto:postmaster@infinidim.net"',
            '_smtp._tls IN TXT "v=TLSRPTv1; rua=mailto:postmaster@infinidim.net"',
            "_jmap._tcp IN SRV 0 1 443 mail.infinidim.net.",
            "autoconfig IN CNAME mail.infinidim.net.",
        ].join("\n");
        const records = recordsOf("infinidim.net", zone);
        expect(records.map((r) => [r.purpose, r.type, r.name])).toEqual([
            ["mx", "MX", "infinidim.net"],
            ["spf", "TXT", "infinidim.net"],
            ["spf", "TXT", "mail.infinidim.net"],
            ["dkim", "TXT", "v1-rsa-20260101._domainkey.infinidim.net"],
            ["dmarc", "TXT", "_dmarc.infinidim.net"],
            ["tls-rpt", "TXT", "_smtp._tls.infinidim.net"],
            ["srv", "SRV", "_jmap._tcp.infinidim.net"],
            ["other", "CNAME", "autoconfig.infinidim.net"],
        ]);
        expect(records[0]!.value).toBe("10 mail.infinidim.net");
        expect(records[3]!.value).toBe("v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0B");
    });
});
