import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        // Dynamic providers are serialized with node:inspector, which worker threads lack.
        pool: "forks",
        testTimeout: 60_000,
        hookTimeout: 60_000,
    },
});
