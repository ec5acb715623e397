/**
 * Runs one example program under Pulumi's mocks, in this process, and prints what it registered as
 * one JSON line (after RESULT_MARKER): each resource's type, name and inputs, and the program's
 * resolved exports. The SDK is the example's own copy (resolved from its directory), so the same
 * runner serves an example linked to the repository and one installed from the packed tarball.
 *
 *   tsx test/examples/runUnderMocks.ts <exampleDir> <stack> '<config as JSON>' '<secret keys as JSON>'
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { defaultState } from "../support/mockState";

export const RESULT_MARKER = "EXAMPLE-RESULT ";

export interface RegisteredResource {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

export interface ExampleRun {
    resources: RegisteredResource[];
    outputs: Record<string, unknown>;
    /** where `tailwart` resolved from the example's directory */
    tailwartEntry: string;
}

/** Serialized dynamic providers are tens of KB each: the run keeps their size only. */
function trimmed(inputs: Record<string, unknown>): Record<string, unknown> {
    const { __provider, ...rest } = inputs;
    return __provider === undefined ? rest : { ...rest, __provider: `<${String(__provider).length} chars>` };
}

/** Resolves when no resource has registered for `quietMs`. */
async function settled(resources: RegisteredResource[], quietMs = 300): Promise<void> {
    let seen = -1;
    while (seen !== resources.length) {
        seen = resources.length;
        await new Promise((resolve) => setTimeout(resolve, quietMs));
    }
}

async function run(
    dir: string,
    stack: string,
    config: Record<string, string>,
    secretKeys: string[],
): Promise<ExampleRun> {
    const fromExample = createRequire(join(dir, "index.ts"));
    const sdk = fromExample("@pulumi/pulumi") as typeof pulumi;
    const project = /^name:\s*(\S+)/m.exec(readFileSync(join(dir, "Pulumi.yaml"), "utf8"))?.[1] ?? "example";
    const resources: RegisteredResource[] = [];
    process.env.PULUMI_CONFIG = JSON.stringify(config);
    process.env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify(secretKeys);
    await sdk.runtime.setMocks(
        {
            newResource(args) {
                resources.push({ type: args.type, name: args.name, inputs: trimmed(args.inputs) });
                return { id: `${args.name}-id`, state: { ...args.inputs, ...defaultState(args) } };
            },
            call: (args) => args.inputs,
        },
        project,
        stack,
        false,
    );
    sdk.runtime.setAllConfig(config, secretKeys);
    const program = fromExample("./index.ts") as Record<string, unknown>;
    const outputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(program)) {
        outputs[key] = sdk.Output.isInstance(value) ? await new Promise((resolve) => value.apply(resolve)) : value;
    }
    await settled(resources);
    return { resources, outputs, tailwartEntry: fromExample.resolve("tailwart") };
}

if (require.main === module) {
    const [dir, stack, config, secretKeys] = process.argv.slice(2);
    if (!dir || !stack) {
        console.error("usage: runUnderMocks.ts <exampleDir> <stack> [configJson] [secretKeysJson]");
        process.exit(2);
    }
    run(dir, stack, JSON.parse(config ?? "{}"), JSON.parse(secretKeys ?? "[]")).then(
        (result) => console.log(`${RESULT_MARKER}${JSON.stringify(result)}`),
        (error: unknown) => {
            console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
            process.exit(1);
        },
    );
}
