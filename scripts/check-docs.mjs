// The API reference's gate: TypeDoc converts the package's two entry points with typedoc.json's
// settings and validates them (notDocumented, notExported, invalidLink); every warning is a problem,
// except the members of the generated x:* property types (components/stalwart/generated/types.ts):
// their meaning is Stalwart's, documented per object at https://stalw.art/docs, and the schema
// source they are generated from carries no descriptions (decision 011).
//   node scripts/check-docs.mjs     prints each problem, exits 1 when there is any
// `npm run docs` writes the reference itself to docs/api/.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Application, Logger, LogLevel } from "typedoc";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const GENERATED_TYPES = "components/stalwart/generated/types.ts";

/** A logger that keeps every warning and error instead of printing it. */
class Recorder extends Logger {
    messages = [];
    log(message, level) {
        if (level >= LogLevel.Warn) this.messages.push(message);
    }
}

/** typedoc.json's settings, with `overrides` (another entry point or tsconfig, for a test). */
export function typedocOptions(overrides = {}) {
    const committed = JSON.parse(readFileSync(join(ROOT, "typedoc.json"), "utf8"));
    const { $schema: _schema, ...options } = committed;
    return {
        ...options,
        entryPoints: options.entryPoints.map((e) => join(ROOT, e)),
        tsconfig: join(ROOT, options.tsconfig),
        ...overrides,
    };
}

/** Every validation warning TypeDoc reports for `options`, the generated property types' left out. */
export async function docProblems(options = typedocOptions()) {
    const app = await Application.bootstrap(options, []);
    const recorder = new Recorder();
    app.logger = recorder;
    const project = await app.convert();
    if (project) app.validate(project);
    else recorder.messages.push("TypeDoc could not convert the entry points");
    const { name } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    const exempt = `, defined in ${name}/${GENERATED_TYPES}, does not have any documentation`;
    return recorder.messages.filter((m) => !m.endsWith(exempt));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    const problems = await docProblems();
    for (const p of problems) console.log(`- ${p}`);
    console.log(
        problems.length
            ? `${problems.length} public symbols or links need attention`
            : "every public symbol is documented",
    );
    process.exit(problems.length ? 1 : 0);
}
