/**
 * What each example must register under mocks, checked the same way whether tailwart was linked to
 * the repository or installed from the packed tarball. `packageDir` is where tailwart was found.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { isSecretValue, unwrap } from "../support/mockState";
import type { ExampleRun, RegisteredResource } from "./runUnderMocks";

/** How each example is run: its stack and the config an operator would have set. */
export const EXAMPLE_STACKS: Readonly<
    Record<string, { stack: string; config: Record<string, string>; secretKeys: string[] }>
> = {
    "two-hosts": {
        stack: "dev",
        config: { "two-hosts:postgresAdminPassword": "example-admin-password" },
        secretKeys: ["two-hosts:postgresAdminPassword"],
    },
    "settings-only": {
        stack: "dev",
        config: { "settings-only:alicePassword": "example-alice-password" },
        secretKeys: ["settings-only:alicePassword"],
    },
};

const ofType = (run: ExampleRun, type: string): RegisteredResource[] => run.resources.filter((r) => r.type === type);

function one(run: ExampleRun, type: string, name: string): RegisteredResource {
    const hits = ofType(run, type).filter((r) => r.name === name);
    expect(hits, `${type} ${name} among ${run.resources.map((r) => `${r.type} ${r.name}`).join(", ")}`).toHaveLength(1);
    return hits[0]!;
}

/** Whether `needle` occurs anywhere under `v` outside a secret envelope. */
function clearIn(v: unknown, needle: string): boolean {
    if (isSecretValue(v)) return false;
    if (typeof v === "string") return v.includes(needle);
    if (Array.isArray(v)) return v.some((x) => clearIn(x, needle));
    return typeof v === "object" && v !== null && Object.values(v).some((x) => clearIn(x, needle));
}

export const EXPECTATIONS: Readonly<Record<string, (run: ExampleRun, packageDir: string) => void>> = {
    "two-hosts"(run, packageDir) {
        expect(run.tailwartEntry).toBe(join(packageDir, "dist", "index.js"));
        // one docker provider per host: the tailnet-only mailbox and the public edge
        expect(
            ofType(run, "pulumi:providers:docker")
                .map((p) => p.inputs.host)
                .sort(),
        ).toEqual(["ssh://deploy@edge.example.org", "ssh://deploy@mailbox.tail0example.ts.net"]);
        const containers = Object.fromEntries(
            ofType(run, "docker:index/container:Container").map((c) => [c.inputs.name as string, c.inputs]),
        );
        expect(Object.keys(containers).sort()).toEqual(["caddy-l4", "stalwart", "ts-stalwart"]);
        expect(containers.stalwart).not.toHaveProperty("ports");
        expect(containers.stalwart!.networkMode).toBe("container:mail-sidecar-container-id");
        expect(
            (containers["caddy-l4"]!.ports as { external: number }[]).map((p) => p.external).sort((a, b) => a - b),
        ).toEqual([25, 143, 443, 465, 587, 993]);
        // the edge image builds from the caddy/ directory shipped inside the package
        const build = one(run, "docker:index/image:Image", "mail-edge-image").inputs.build as {
            context: string;
            dockerfile: string;
        };
        expect(build.context).toBe(join(packageDir, "caddy"));
        expect(existsSync(build.dockerfile)).toBe(true);
        expect(
            unwrap(one(run, "pulumi-nodejs:dynamic/stalwart:Domain", "mail-settings-domain").inputs.properties).value,
        ).toMatchObject({ name: "example.org" });
        expect(ofType(run, "pulumi-nodejs:dynamic/stalwart:NetworkListener")).toHaveLength(6);
        // the admin password from the stack config reaches the Postgres provider as a secret only
        expect(unwrap(one(run, "pulumi:providers:postgresql", "mail-postgres-server").inputs.password)).toEqual({
            value: "example-admin-password",
            secret: true,
        });
        expect(run.resources.some((r) => clearIn(r.inputs, "example-admin-password"))).toBe(false);
        expect(run.outputs.mailboxFqdn).toBe("ts-stalwart.tail0example.ts.net");
        expect(run.outputs.acmeDirectory).toBe("https://acme-staging-v02.api.letsencrypt.org/directory");
        expect(Object.keys(run.outputs.stalwartObjects as object)).toEqual(
            expect.arrayContaining(["domain", "system"]),
        );
    },

    "settings-only"(run) {
        expect(run.resources.map((r) => r.type).sort()).toEqual([
            "pulumi-nodejs:dynamic/stalwart:Account",
            "pulumi-nodejs:dynamic/stalwart:Convergence",
            "pulumi-nodejs:dynamic/stalwart:Domain",
            "pulumi-nodejs:dynamic/stalwart:NetworkListener",
        ]);
        const domain = one(run, "pulumi-nodejs:dynamic/stalwart:Domain", "example-org");
        expect(domain.inputs).toMatchObject({
            objectType: "x:Domain",
            properties: { name: "example.org", dkimManagement: { "@type": "Automatic" } },
        });
        expect(domain.inputs.__provider).toMatch(/^<\d+ chars>$/);
        const alice = one(run, "pulumi-nodejs:dynamic/stalwart:Account", "alice").inputs;
        expect(unwrap(alice.properties).value).toMatchObject({
            "@type": "User",
            name: "alice",
            domainId: "id-example-org",
            credentials: [{ "@type": "Password", secret: "example-alice-password" }],
        });
        // the password is there, inside a Pulumi secret only: never in clear
        expect(clearIn(alice, "example-alice-password")).toBe(false);
        expect(
            one(run, "pulumi-nodejs:dynamic/stalwart:NetworkListener", "submission").inputs.properties,
        ).toMatchObject({ name: "submission", bind: ["[::]:587"], protocol: "smtp" });
        const convergence = one(run, "pulumi-nodejs:dynamic/stalwart:Convergence", "settings").inputs;
        expect(unwrap<{ objectType: string }[]>(convergence.objects).value.map((o) => o.objectType)).toEqual([
            "x:Domain",
            "x:Account",
            "x:NetworkListener",
        ]);
        expect(convergence.restartCommand).toEqual(["docker", "restart", "stalwart"]);
        expect(run.outputs).toMatchObject({ domainId: "id-example-org", aliceId: "id-alice", pendingRestart: [] });
    },
};
