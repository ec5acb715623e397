import { describe, expect, it } from "vitest";
import { renderConfigJson } from "../../components/plan/configJson";
import {
    oauthAuthKeySuffix,
    type SidecarSpecInput,
    type StalwartSpecInput,
    sidecarSpec,
    stalwartSpec,
} from "../../components/plan/mailboxSpec";
import { isSecretRef } from "../../components/plan/spec";

const sidecar: SidecarSpecInput = {
    containerName: "ts-stalwart",
    image: "tailscale/tailscale:v1.90.6",
    hostname: "ts-stalwart",
    tags: ["tag:stalwart"],
    auth: "tailnetKey",
    ephemeral: false,
    stateVolume: "ts-stalwart-state",
    healthAddress: "127.0.0.1:9002",
};

const configJson = renderConfigJson({
    host: "db.tail7b1641.ts.net",
    port: 5432,
    database: "stalwart",
    user: "stalwart",
    passwordEnv: "STALWART_DB_PASSWORD",
    useTls: false,
});

const stalwart: StalwartSpecInput = {
    containerName: "stalwart",
    image: "stalwartlabs/stalwart:v0.16.18",
    sidecarContainer: "ts-stalwart",
    dataVolume: "stalwart-data",
    configJson,
    dbPasswordEnv: "STALWART_DB_PASSWORD",
};

describe("sidecarSpec", () => {
    it("runs Tailscale in kernel mode on the mailbox host with tun and NET_ADMIN", () => {
        const spec = sidecarSpec(sidecar);
        expect(spec.host).toBe("mailbox");
        expect(spec.name).toBe("ts-stalwart");
        expect(spec.env["TS_USERSPACE"]).toBe("false");
        expect(spec.devices).toEqual([{ hostPath: "/dev/net/tun", containerPath: "/dev/net/tun" }]);
        expect(spec.capabilities).toEqual(expect.arrayContaining(["NET_ADMIN", "NET_RAW"]));
        expect(spec.ports).toEqual([]);
        expect(spec.restart).toBe("unless-stopped");
        expect(spec.hostname).toBe("ts-stalwart");
    });

    it("sets the containerboot variables and keeps state on the named volume", () => {
        const spec = sidecarSpec(sidecar);
        expect(spec.env).toMatchObject({
            TS_ACCEPT_DNS: "true",
            TS_HOSTNAME: "ts-stalwart",
            TS_STATE_DIR: "/var/lib/tailscale",
            TS_AUTH_ONCE: "true",
            TS_ENABLE_HEALTH_CHECK: "true",
            TS_LOCAL_ADDR_PORT: "127.0.0.1:9002",
        });
        expect(spec.mounts).toEqual([{ volume: "ts-stalwart-state", containerPath: "/var/lib/tailscale" }]);
    });

    it("takes the auth key from the plan secret, never a value", () => {
        const spec = sidecarSpec(sidecar);
        expect(spec.env["TS_AUTHKEY"]).toEqual({ secret: "tailscaleAuthKey" });
        const secretVars = Object.entries(spec.env)
            .filter(([, v]) => isSecretRef(v))
            .map(([k]) => k);
        expect(secretVars).toEqual(["TS_AUTHKEY"]);
    });

    it("advertises the tags only for OAuth", () => {
        expect(sidecarSpec(sidecar).env["TS_EXTRA_ARGS"]).toBeUndefined();
        const oauth = sidecarSpec({ ...sidecar, auth: "oauth", tags: ["tag:stalwart", "tag:mail"] });
        expect(oauth.env["TS_EXTRA_ARGS"]).toBe("--advertise-tags=tag:stalwart,tag:mail");
        expect(oauth.env["TS_AUTHKEY"]).toEqual({ secret: "tailscaleAuthKey" });
    });

    it("documents the OAuth secret suffix the shell appends", () => {
        expect(oauthAuthKeySuffix(true)).toBe("?ephemeral=true&preauthorized=true");
        expect(oauthAuthKeySuffix(false)).toBe("?ephemeral=false&preauthorized=true");
    });

    it("probes /healthz with busybox wget, dialling loopback for a wildcard listen address", () => {
        expect(sidecarSpec(sidecar).healthcheck?.test).toEqual([
            "CMD",
            "wget",
            "-q",
            "-O",
            "/dev/null",
            "http://127.0.0.1:9002/healthz",
        ]);
        expect(sidecarSpec({ ...sidecar, healthAddress: "0.0.0.0:9002" }).healthcheck?.test.at(-1)).toBe(
            "http://127.0.0.1:9002/healthz",
        );
        expect(sidecarSpec({ ...sidecar, healthAddress: "[::]:9002" }).healthcheck?.test.at(-1)).toBe(
            "http://[::1]:9002/healthz",
        );
    });
});

describe("stalwartSpec", () => {
    it("joins the sidecar's netns and has no ports, hostname or DNS of its own", () => {
        const spec = stalwartSpec(stalwart);
        expect(spec.host).toBe("mailbox");
        expect(spec.networkMode).toBe("container:ts-stalwart");
        expect(spec.ports).toEqual([]);
        expect(spec.hostname).toBeUndefined();
        expect(spec.capabilities).toEqual([]);
        expect(spec.restart).toBe("unless-stopped");
    });

    it("keeps /var/lib/stalwart on the named volume and uploads a read-only config.json", () => {
        const spec = stalwartSpec(stalwart);
        expect(spec.mounts).toEqual([{ volume: "stalwart-data", containerPath: "/var/lib/stalwart" }]);
        expect(spec.files).toEqual([{ containerPath: "/etc/stalwart/config.json", content: configJson, mode: 0o444 }]);
        // readable by Stalwart's uid 2000 although root owns the upload
        expect(spec.files[0]!.mode! & 0o004).toBe(0o004);
    });

    it("sets the DB password variable from the plan secret", () => {
        expect(stalwartSpec(stalwart).env).toEqual({ STALWART_DB_PASSWORD: { secret: "postgresPassword" } });
    });

    it("uses the image's own health probe and timings", () => {
        expect(stalwartSpec(stalwart).healthcheck).toEqual({
            test: [
                "CMD",
                "curl",
                "-fsS",
                "-o",
                "/dev/null",
                "-H",
                "X-Forwarded-For: 127.0.0.1",
                "http://127.0.0.1:8080/healthz/live",
            ],
            intervalSeconds: 30,
            timeoutSeconds: 5,
            startPeriodSeconds: 30,
            retries: 3,
        });
    });

    it("adds extra env, secret or plain", () => {
        const spec = stalwartSpec({
            ...stalwart,
            env: { STALWART_PUBLIC_URL: "https://mail.example.test", API_SECRET: { secret: "other" } },
        });
        expect(spec.env).toMatchObject({
            STALWART_PUBLIC_URL: "https://mail.example.test",
            API_SECRET: { secret: "other" },
        });
    });

    it("never lets extra env replace the password variable", () => {
        expect(
            stalwartSpec({ ...stalwart, env: { STALWART_DB_PASSWORD: "plain" } }).env["STALWART_DB_PASSWORD"],
        ).toEqual({ secret: "postgresPassword" });
    });

    it("accepts a digest-pinned image", () => {
        const image = "stalwartlabs/stalwart@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        expect(stalwartSpec({ ...stalwart, image }).image).toBe(image);
    });
});
