import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CADDY_BUILD } from "../../components/plan/edgeImage";

const root = join(__dirname, "..", "..");
const dockerfile = readFileSync(join(root, CADDY_BUILD.dockerfile), "utf8");
/** Dockerfile instructions with line continuations joined and comments dropped. */
const instructions = dockerfile
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));

function argDefaults(): Record<string, string> {
    const args: Record<string, string> = {};
    for (const line of instructions) {
        const match = /^ARG (\w+)=(\S+)$/.exec(line);
        if (match) args[match[1]!] = match[2]!;
    }
    return args;
}

function runBlock(containing: string): string {
    const run = instructions.find((l) => l.startsWith("RUN ") && l.includes(containing));
    if (!run) throw new Error(`no RUN instruction contains ${containing}`);
    return run.slice("RUN ".length);
}

describe("caddy/Dockerfile pins", () => {
    it("has ARG defaults equal to CADDY_BUILD.args (single source of versions)", () => {
        expect(argDefaults()).toEqual(CADDY_BUILD.args);
    });

    it("points CADDY_BUILD at the caddy/ context", () => {
        expect(CADDY_BUILD.context).toBe("caddy");
        expect(CADDY_BUILD.dockerfile.startsWith(`${CADDY_BUILD.context}/`)).toBe(true);
    });

    it("uses a base image pinned by tag in every stage", () => {
        const froms = instructions.filter((l) => l.startsWith("FROM "));
        expect(froms.length).toBeGreaterThan(0);
        for (const from of froms) expect(from).toMatch(/^FROM alpine:\$\{ALPINE_VERSION\}( AS \w+)?$/);
        expect(CADDY_BUILD.args.ALPINE_VERSION).toMatch(/^\d+\.\d+/);
    });

    it("downloads from caddyserver.com with Caddy and caddy-l4 pinned, not with xcaddy", () => {
        const fetch = runBlock("caddyserver.com/api/download");
        const url = /"(https:\/\/caddyserver\.com\/api\/download\?[^"]+)"/.exec(fetch)?.[1];
        expect(url).toBeDefined();
        // expand the shell variables as the RUN step would, on an amd64 builder
        const vars: Record<string, string> = { ...CADDY_BUILD.args, arch: "amd64" };
        const expanded = url!.replace(/\$\{(\w+)\}/g, (_, name: string) => vars[name] ?? `<unset ${name}>`);
        const params = new URLSearchParams(expanded.split("?")[1]);
        expect(params.get("os")).toBe("linux");
        expect(params.get("arch")).toBe("amd64");
        expect(params.get("version")).toBe(`v${CADDY_BUILD.args.CADDY_VERSION}`);
        expect(params.getAll("p")).toEqual([`github.com/mholt/caddy-l4@${CADDY_BUILD.args.CADDY_L4_VERSION}`]);
        expect(dockerfile).not.toMatch(/xcaddy build|go build/);
        expect(CADDY_BUILD.args.CADDY_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
        expect(CADDY_BUILD.args.CADDY_L4_VERSION).toMatch(/^v\d+\.\d+\.\d+$/);
    });

    it("runs caddy on /etc/caddy/caddy.json", () => {
        expect(instructions).toContain('CMD ["caddy", "run", "--config", "/etc/caddy/caddy.json"]');
    });
});

describe("caddy/Dockerfile verification step (run against a fake caddy)", () => {
    const dir = mkdtempSync(join(tmpdir(), "caddy-verify-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
        join(dir, "caddy"),
        [
            "#!/bin/sh",
            'case "$1" in',
            '  version) echo "$FAKE_VERSION h1:abc=" ;;',
            '  list-modules) if [ "$2" = "--versions" ]; then printf "%s\\n" "$FAKE_VERSIONED"; else printf "%s\\n" "$FAKE_MODULES"; fi ;;',
            '  validate) cat "$3" > "$FAKE_DIR/validated.json"; exit "$FAKE_VALIDATE_RC" ;;',
            "  *) exit 2 ;;",
            "esac",
        ].join("\n"),
    );
    chmodSync(join(dir, "caddy"), 0o755);
    const verify = runBlock("list-modules").replaceAll("/tmp/probe.json", join(dir, "probe.json"));
    const { CADDY_VERSION, CADDY_L4_VERSION } = CADDY_BUILD.args;
    const good = {
        FAKE_VERSION: `v${CADDY_VERSION}`,
        FAKE_MODULES: ["http.handlers.file_server", "layer4", "layer4.handlers.proxy", "layer4.matchers.tls"].join(
            "\n",
        ),
        FAKE_VERSIONED: [
            "http.handlers.file_server",
            `layer4 ${CADDY_L4_VERSION} github.com/mholt/caddy-l4`,
            `layer4.handlers.proxy ${CADDY_L4_VERSION} github.com/mholt/caddy-l4`,
        ].join("\n"),
    };

    function verifyWith(fake: Partial<typeof good> & { FAKE_VALIDATE_RC?: string }) {
        const env = {
            PATH: `${dir}:${process.env["PATH"]}`,
            FAKE_DIR: dir,
            FAKE_VALIDATE_RC: "0",
            CADDY_VERSION,
            CADDY_L4_VERSION,
            ...good,
            ...fake,
        };
        return spawnSync("sh", ["-c", verify], { env, encoding: "utf8" });
    }

    it("passes for the pinned Caddy with the pinned layer4 app, after validating a PROXY v2 config", () => {
        const result = verifyWith({});
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
        const probe = JSON.parse(readFileSync(join(dir, "validated.json"), "utf8"));
        expect(probe.apps.layer4.servers.probe.routes[0].handle[0]).toMatchObject({
            handler: "proxy",
            proxy_protocol: "v2",
        });
    });

    it("fails when list-modules does not list layer4", () => {
        const result = verifyWith({ FAKE_MODULES: "http.handlers.file_server\nlayer4.handlers.proxy" });
        expect(result.status).not.toBe(0);
        expect(result.stderr).toContain("does not list layer4");
    });

    it("fails when the proxy handler is missing", () => {
        const result = verifyWith({ FAKE_MODULES: "layer4" });
        expect(result.status).not.toBe(0);
        expect(result.stderr).toContain("layer4.handlers.proxy");
    });

    it("fails when Caddy is not the pinned version", () => {
        const result = verifyWith({ FAKE_VERSION: "v2.10.2" });
        expect(result.status).not.toBe(0);
        expect(result.stderr).toContain(`downloaded caddy is v2.10.2, expected v${CADDY_VERSION}`);
    });

    it("fails when layer4 comes from another caddy-l4 version", () => {
        const result = verifyWith({
            FAKE_VERSIONED: "layer4 v0.0.0-20250102174933-6e5f5e311ead github.com/mholt/caddy-l4",
        });
        expect(result.status).not.toBe(0);
        expect(result.stderr).toContain(`not from github.com/mholt/caddy-l4 ${CADDY_L4_VERSION}`);
    });

    it("fails when caddy validate rejects the probe config", () => {
        expect(verifyWith({ FAKE_VALIDATE_RC: "1" }).status).not.toBe(0);
    });
});
