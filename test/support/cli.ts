/**
 * How `npm run plan`, `npm run doctor` and `npm run generate:schema` start their CLI (package.json:
 * `node scripts/launch.cjs <name | path>`), without npm in between: the cached bundle, not tsx.
 *
 *   spawnSync(...cliCommand("plan", "--stack", "dev"), { cwd: PROJECT_ROOT, encoding: "utf8" })
 */
import { join } from "node:path";
import { PROJECT_ROOT } from "./stackConfig";

export const LAUNCHER = join(PROJECT_ROOT, "scripts", "launch.cjs");

/** The command and arguments that run CLI `name` (a scripts/ name or a .ts path) with `args`. */
export function cliCommand(name: string, ...args: string[]): [string, string[]] {
    return [process.execPath, [LAUNCHER, name, ...args]];
}
