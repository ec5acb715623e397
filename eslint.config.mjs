// Lint: ESLint's and typescript-eslint's recommended rules. (Biome was tried first; its per-platform
// binaries are not all in the registry this project installs from, which breaks `npm ci`.)
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "bin/", "dist/", "docs/api/", "scratch/", "components/stalwart/generated/"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        languageOptions: {
            globals: {
                process: "readonly",
                Buffer: "readonly",
                console: "readonly",
                require: "readonly",
                __dirname: "readonly",
                module: "writable",
                setTimeout: "readonly",
                clearTimeout: "readonly",
                fetch: "readonly",
                URL: "readonly",
                AbortSignal: "readonly",
            },
        },
        rules: {
            // providers require node modules inside methods on purpose (closure serialization)
            "@typescript-eslint/no-require-imports": "off",
            // tests read the server's JSON and the engine's outputs in many shapes; the code may not
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-unused-vars": [
                "error",
                { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
            ],
            eqeqeq: ["error", "always"],
            // a server created before the object that answers through it: assigned once, read in a callback
            "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
        },
    },
    {
        // product code types what it reads; the few untyped engine/server records say why where they stand
        files: ["components/**/*.ts", "scripts/**/*.ts", "tools/**/*.ts", "index.ts", "policy/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "error" },
    },
    {
        // the schema generator is a tool, never loaded at run time (decision 011)
        files: ["components/**/*.ts", "scripts/**/*.ts", "index.ts"],
        rules: {
            "no-restricted-imports": [
                "error",
                {
                    patterns: [
                        {
                            regex: "(^|/)tools/",
                            message: "tools/ is not part of the program: run-time code may not import it.",
                        },
                    ],
                },
            ],
        },
    },
    {
        // and it reads only the descriptor contract of the provider it generates for
        files: ["tools/**/*.ts"],
        rules: {
            "no-restricted-imports": [
                "error",
                {
                    patterns: [
                        {
                            regex: "(^|/)components/(?!stalwart/schema/(types|references)$)",
                            message:
                                "tools/ may import only the descriptor contract (components/stalwart/schema/types.ts, references.ts).",
                        },
                    ],
                },
            ],
        },
    },
    {
        files: ["**/*.cjs"],
        languageOptions: { sourceType: "commonjs" },
    },
);
