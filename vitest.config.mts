import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { isolatedTestFiles } from "./test/support/pools.cjs";

const isolated = isolatedTestFiles();

export default defineConfig({
    test: {
        // Dynamic providers are serialized with node:inspector, which worker threads lack.
        pool: "forks",
        // vitest's default is one worker fewer than the cores: a single worker on 2 cores. The provider
        // and CLI tests spend much of their time waiting on a child process (the SDK's provider host, a
        // CLI) or a retry's backoff, so one worker more than the cores keeps both cores busy.
        maxWorkers: availableParallelism() + 1,
        testTimeout: 60_000,
        hookTimeout: 60_000,
        projects: [
            {
                extends: true,
                // files that install Pulumi mocks or serialize functions get a fresh process each (test/support/pools.cjs)
                test: { name: "isolated", include: isolated, isolate: true },
            },
            {
                extends: true,
                // everything else shares workers: @pulumi/pulumi and the modules load once per worker
                test: { name: "shared", include: ["test/**/*.test.ts"], exclude: isolated, isolate: false },
            },
        ],
    },
});
