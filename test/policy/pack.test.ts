/**
 * The policy pack as Pulumi runs it: policy/ started through @pulumi/pulumi's run-policy-pack (the
 * entry point the engine's `pulumi-analyzer-policy` uses: ts-node type-checks index.ts, then
 * @pulumi/policy serves the Analyzer gRPC service), with the stack's name and config in the
 * environment as the engine passes them. The test plays the engine: GetAnalyzerInfo, Configure,
 * Remediate then Analyze per resource. Needs policy/node_modules (`npm ci --prefix policy`; .ci/run
 * installs it); skipped, saying so, without it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RULES, SECRETS_RULE } from "../../policy/rules";
import { PROJECT_ROOT } from "../support/stackConfig";

const POLICY_DIR = join(PROJECT_ROOT, "policy");
const installed = existsSync(join(POLICY_DIR, "node_modules", "@pulumi", "policy", "package.json"));
if (!installed)
    console.warn("test/policy/pack.test.ts skipped: policy/node_modules is missing; run `npm ci --prefix policy`");

const SECRET_SIG = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

describe.skipIf(!installed)("policy pack served over the analyzer protocol", () => {
    // the pack's own copies: the gRPC stubs must be the ones @pulumi/policy serves with
    const req = createRequire(join(POLICY_DIR, "package.json"));
    let grpc: any, pb: any, structpb: any, emptypb: any, client: any, child: ChildProcess | undefined;
    let stderr = "";

    const rpc = <T>(method: string, request: unknown): Promise<T> =>
        new Promise((resolve, reject) =>
            client[method](request, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))),
        );

    function request(type: string, name: string, props: Record<string, unknown>, protect = false): unknown {
        const r = new pb.AnalyzeRequest();
        r.setType(type);
        r.setName(name);
        r.setUrn(`urn:pulumi:prod::tailwart::${type}::${name}`);
        r.setProperties(structpb.Struct.fromJavaScript(props));
        const opts = new pb.AnalyzerResourceOptions();
        opts.setProtect(protect);
        r.setOptions(opts);
        return r;
    }

    /** Remediate then Analyze, as the engine does for each resource: [policy, level, message] per diagnostic. */
    async function analyze(
        type: string,
        name: string,
        props: Record<string, unknown>,
        protect = false,
    ): Promise<[string, number, string][]> {
        const remediated: any = await rpc("remediate", request(type, name, props, protect));
        expect(remediated.getRemediationsList()).toEqual([]);
        const res: any = await rpc("analyze", request(type, name, props, protect));
        return res.getDiagnosticsList().map((d: any) => [d.getPolicyname(), d.getEnforcementlevel(), d.getMessage()]);
    }

    beforeAll(async () => {
        grpc = req("@grpc/grpc-js");
        pb = req("@pulumi/pulumi/proto/analyzer_pb");
        structpb = req("google-protobuf/google/protobuf/struct_pb");
        emptypb = req("google-protobuf/google/protobuf/empty_pb");
        const services = req("@pulumi/pulumi/proto/analyzer_grpc_pb");
        const runner = join(POLICY_DIR, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack");
        child = spawn(process.execPath, [runner, "127.0.0.1:1", "."], {
            cwd: POLICY_DIR,
            env: {
                ...process.env,
                PULUMI_STACK: "prod",
                PULUMI_CONFIG: JSON.stringify({ "tailwart:allowDataLoss": "true" }),
            },
            stdio: ["ignore", "pipe", "pipe"],
        });
        child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
        // the pack prints the port it serves on once index.ts has compiled and run
        const port = await new Promise<number>((resolve, reject) => {
            child!.stdout!.on("data", (b: Buffer) => {
                const m = /^(\d+)\s*$/m.exec(b.toString());
                if (m) resolve(Number(m[1]));
            });
            child!.on("exit", (code) =>
                reject(new Error(`policy pack exited with ${code} before serving:\n${stderr}`)),
            );
        });
        client = new services.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    }, 180_000);

    afterAll(() => {
        client?.close();
        if (child?.pid && child.exitCode === null) child.kill();
    });

    it("serves every rule: mandatory, the secrets rule at the remediate level", async () => {
        const info: any = await rpc("getAnalyzerInfo", new emptypb.Empty());
        expect(info.getName()).toBe("tailwart");
        const levels = Object.fromEntries(
            info.getPoliciesList().map((p: any) => [p.getName(), p.getEnforcementlevel()]),
        );
        const expected = Object.fromEntries(
            Object.keys(RULES).map((n) => [
                n,
                n === SECRETS_RULE ? pb.EnforcementLevel.REMEDIATE : pb.EnforcementLevel.MANDATORY,
            ]),
        );
        expect(levels).toEqual(expected);
    });

    it("passes the Stalwart container with values the preview cannot know, and fails one that publishes ports", async () => {
        const stalwart = {
            name: "stalwart",
            image: UNKNOWN,
            networkMode: "container:ts-stalwart",
            mounts: [{ type: "volume", source: "stalwart-data", target: "/var/lib/stalwart" }],
            labels: [
                { label: "tailwart.netns-owner-id", value: UNKNOWN },
                { label: "tailwart.role", value: "stalwart" },
            ],
        };
        expect(await analyze("docker:index/container:Container", "mx-stalwart-container", stalwart)).toEqual([]);
        const published = await analyze("docker:index/container:Container", "mx-stalwart-container", {
            ...stalwart,
            ports: [{ internal: 25, external: 25 }],
            image: "stalwartlabs/stalwart:latest",
        });
        expect(published.map(([p, level]) => [p, level])).toEqual([
            ["stalwart-container-isolated", pb.EnforcementLevel.MANDATORY],
            ["images-pinned", pb.EnforcementLevel.MANDATORY],
        ]);
    });

    it("reports a clear x:* secret as mandatory and lets a Pulumi secret through", async () => {
        const blobStore = (secretKey: unknown) => ({
            objectType: "x:BlobStore",
            properties: { "@type": "S3", bucket: "stalwart-mail", secretKey },
        });
        const type = "pulumi-nodejs:dynamic/stalwart:BlobStore";
        expect(
            await analyze(type, "blob", blobStore({ ...SECRET_SIG, value: { "@type": "Value", secret: "s3cr3t" } })),
        ).toEqual([]);
        const clear = await analyze(type, "blob", blobStore({ "@type": "Value", secret: "s3cr3t" }));
        expect(clear).toEqual([
            [
                SECRETS_RULE,
                pb.EnforcementLevel.MANDATORY,
                expect.stringContaining("sends properties.secretKey.secret in clear"),
            ],
        ]);
        expect(clear[0]![2]).not.toContain("s3cr3t");
    });

    it("reads the stack's allowDataLoss from the engine's config, and the protected stacks from the pack's config", async () => {
        const db = [
            "postgresql:index/database:Database",
            "mx-postgres-database",
            { name: "stalwart", owner: "stalwart" },
        ] as const;
        expect(await analyze(...db)).toEqual([
            [
                "data-retained",
                pb.EnforcementLevel.MANDATORY,
                expect.stringMatching(/stack prod sets tailwart:allowDataLoss/),
            ],
        ]);
        expect(await analyze(db[0], db[1], db[2], true)).toEqual([]);
        const configure = new pb.ConfigureAnalyzerRequest();
        const config = new pb.PolicyConfig();
        config.setEnforcementlevel(pb.EnforcementLevel.MANDATORY);
        config.setProperties(structpb.Struct.fromJavaScript({ protectedStacks: [] }));
        configure.getPolicyconfigMap().set("data-retained", config);
        await rpc("configure", configure);
        expect(await analyze(...db)).toEqual([]);
    });
});
