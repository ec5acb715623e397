import type * as pulumiType from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";

type Recorded = { type: string; name: string; inputs: Record<string, unknown> };

let pulumi: typeof pulumiType;
let GarageBucket: typeof import("../../components/backends/garage/bucket").GarageBucket;
const recorded: Recorded[] = [];
const SECRET = "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0";

function resolved<T>(output: pulumiType.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

/** Captures the options each child resource is registered with (transformations see them; mocks do not). */
function optionsRecorder(into: Map<string, pulumiType.ResourceOptions>): pulumiType.ResourceTransformation {
    return (args) => {
        into.set(args.type, args.opts);
        return undefined;
    };
}

beforeAll(async () => {
    pulumi = await import("@pulumi/pulumi");
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                recorded.push({ type: args.type, name: args.name, inputs: args.inputs });
                if (args.type !== "pulumi-nodejs:dynamic/garage:BucketGrant")
                    return { id: `${args.name}-id`, state: args.inputs };
                const state = {
                    ...args.inputs,
                    bucketId: "b1d",
                    accessKeyId: "GK0123456789abcdef01234567",
                    secretAccessKey: SECRET,
                };
                return { id: "b1d/GK0123456789abcdef01234567", state };
            },
            call: () => ({}),
        },
        "tailwart",
        "test",
        false,
    );
    ({ GarageBucket } = await import("../../components/backends/garage/bucket"));
});

describe("GarageBucket", () => {
    it("registers one BucketGrant child with read+write by default and exposes its outputs", async () => {
        const options = new Map<string, pulumiType.ResourceOptions>();
        const blobs = new GarageBucket(
            "blobs",
            { adminEndpoint: "http://garage.tail7b1641.ts.net:3903", bucket: "mail-blobs", keyName: "stalwart" },
            { transformations: [optionsRecorder(options)] },
        );
        expect(await resolved(blobs.bucketId)).toBe("b1d");
        expect(await resolved(blobs.accessKeyId)).toBe("GK0123456789abcdef01234567");
        expect(await resolved(blobs.bucket)).toBe("mail-blobs");

        const grant = recorded.find((r) => r.type === "pulumi-nodejs:dynamic/garage:BucketGrant" && r.name === "blobs");
        expect(grant?.inputs).toMatchObject({
            adminEndpoint: "http://garage.tail7b1641.ts.net:3903",
            bucket: "mail-blobs",
            keyName: "stalwart",
            permissions: { read: true, write: true, owner: false },
        });
        expect(String(grant?.inputs.__provider)).toContain("exports.handler");
        // The admin token is never a resource input (it comes from env or provider config at run time).
        expect(Object.keys(grant?.inputs ?? {}).sort()).toEqual([
            "__provider",
            "adminEndpoint",
            "bucket",
            "keyName",
            "permissions",
        ]);
        expect(recorded.some((r) => r.type === "tailwart:backends:GarageBucket" && r.name === "blobs")).toBe(true);

        const grantOptions = options.get("pulumi-nodejs:dynamic/garage:BucketGrant");
        expect(grantOptions?.retainOnDelete).toBe(true);
        expect((grantOptions as pulumiType.CustomResourceOptions).additionalSecretOutputs).toEqual(["secretAccessKey"]);
    });

    it("keeps the secret access key secret", async () => {
        const blobs = new GarageBucket("secret-check", {
            adminEndpoint: "http://g:3903",
            bucket: "mail-blobs",
            keyName: "stalwart",
        });
        expect(await pulumi.isSecret(blobs.secretAccessKey)).toBe(true);
        expect(await resolved(blobs.secretAccessKey)).toBe(SECRET);
        expect(await pulumi.isSecret(blobs.accessKeyId)).toBe(false);
    });

    it("lets the caller drop retainOnDelete and narrow permissions", async () => {
        const options = new Map<string, pulumiType.ResourceOptions>();
        const blobs = new GarageBucket(
            "scratch",
            {
                adminEndpoint: "http://g:3903",
                bucket: "scratch",
                keyName: "reader",
                retainOnDelete: false,
                permissions: { write: false },
            },
            { transformations: [optionsRecorder(options)] },
        );
        await resolved(blobs.bucketId);
        expect(options.get("pulumi-nodejs:dynamic/garage:BucketGrant")?.retainOnDelete).toBe(false);
        const grant = recorded.find((r) => r.name === "scratch" && r.type.endsWith("BucketGrant"));
        expect(grant?.inputs.permissions).toEqual({ read: true, write: false, owner: false });
    });
});
