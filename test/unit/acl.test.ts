import { describe, expect, it } from "vitest";
import { type AclInput, aclFragment, renderAclHujson } from "../../components/plan/acl";

const input: AclInput = {
    stalwartTags: ["tag:stalwart"],
    edgeTags: ["tag:reverse-proxy"],
    mailPorts: [25, 465, 587, 143, 993],
    operators: ["autogroup:admin"],
    managementPort: 8080,
    tagOwners: ["autogroup:admin"],
    backends: [
        { name: "postgres", dst: "tag:the-record", ports: [5432] },
        { name: "garage", dst: "tag:garage", ports: [3900, 3903] },
        { name: "redis", dst: "tag:slo-time", ports: [6379] },
    ],
};

/** HuJSON → JSON: drop `//` comments (none of our strings contain "//") and trailing commas. */
function stripHujson(text: string): string {
    return text.replace(/^\s*\/\/.*$/gm, "").replace(/,(\s*[}\]])/g, "$1");
}

describe("aclFragment", () => {
    it("gives every deployment tag the configured owners", () => {
        expect(aclFragment(input).tagOwners).toEqual({
            "tag:stalwart": ["autogroup:admin"],
            "tag:reverse-proxy": ["autogroup:admin"],
        });
    });

    it("grants edge → mailbox on the mail ports, operators → management port, mailbox → each backend", () => {
        expect(aclFragment(input).grants).toEqual([
            {
                src: ["tag:reverse-proxy"],
                dst: ["tag:stalwart"],
                ip: ["tcp:25", "tcp:465", "tcp:587", "tcp:143", "tcp:993"],
            },
            { src: ["autogroup:admin"], dst: ["tag:stalwart"], ip: ["tcp:8080"] },
            { src: ["tag:stalwart"], dst: ["tag:the-record"], ip: ["tcp:5432"] },
            { src: ["tag:stalwart"], dst: ["tag:garage"], ip: ["tcp:3900", "tcp:3903"] },
            { src: ["tag:stalwart"], dst: ["tag:slo-time"], ip: ["tcp:6379"] },
        ]);
    });

    it("leaves out the operator grant when there are no operators, and backends when none are given", () => {
        const grants = aclFragment({ ...input, operators: [], backends: undefined }).grants;
        expect(grants).toHaveLength(1);
        expect(grants[0]!.src).toEqual(["tag:reverse-proxy"]);
    });
});

describe("renderAclHujson", () => {
    it("parses as JSON once comments and trailing commas are stripped, and equals the fragment", () => {
        const text = renderAclHujson(input);
        expect(JSON.parse(stripHujson(text))).toEqual(aclFragment(input));
    });

    it("is real HuJSON: it has comments and trailing commas, so it is not plain JSON", () => {
        const text = renderAclHujson(input);
        expect(() => JSON.parse(text)).toThrow();
        expect(text).toMatch(/,\n\s*\]/);
    });

    it("says above each grant what it is for", () => {
        const lines = renderAclHujson(input).split("\n");
        const grantLines = lines.map((l, n) => [l, n] as const).filter(([l]) => l.trim().startsWith('{"src"'));
        expect(grantLines).toHaveLength(5);
        for (const [, n] of grantLines) expect(lines[n - 1]!.trim()).toMatch(/^\/\/ \S/);
        const text = lines.join("\n");
        expect(text).toContain("// edge -> mailbox: the public mail ports the edge forwards (25, 465, 587, 143, 993)");
        expect(text).toContain("// operators -> mailbox: Stalwart's management/JMAP port 8080");
        expect(text).toContain("// mailbox -> garage backend");
        expect(text).toMatch(/^\/\/ tailwart: merge these entries/);
    });

    it("points out a backend dst that only works as a hosts alias, and only then", () => {
        const text = renderAclHujson({
            ...input,
            backends: [
                { name: "postgres", dst: "the-record-prod.tail7b1641.ts.net", ports: [5432] },
                { name: "redis", dst: "100.64.0.7", ports: [6379] },
                { name: "garage", dst: "tag:garage", ports: [3900] },
            ],
        });
        expect(text).toContain(
            '// mailbox -> postgres backend (uncomment after declaring "the-record-prod.tail7b1641.ts.net" in the policy\'s "hosts" section',
        );
        // a dst the policy does not know would make the whole file fail to save: that grant is commented out
        expect(text).toContain(
            '    // {"src": ["tag:stalwart"], "dst": ["the-record-prod.tail7b1641.ts.net"], "ip": ["tcp:5432"]},',
        );
        expect(text).toContain('// mailbox -> redis backend\n    {"src": ["tag:stalwart"], "dst": ["100.64.0.7"]');
        expect(text).toContain('// mailbox -> garage backend\n    {"src": ["tag:stalwart"], "dst": ["tag:garage"]');
    });
});
