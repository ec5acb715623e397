/**
 * Stalwart itself: live and ready (GET /healthz/live, /healthz/ready, anonymous), and running the
 * release `stalwart.image` pins. The management API reports no version number; what identifies a
 * build is the registry schema it serves (GET /api/schema), so the check compares that schema's
 * SHA-256 with the one this project generated its x:* types from for the pinned release.
 */
import { parseImageRef } from "../config/validators";
import type { Check, DoctorContext, Outcome } from "./types";

const RESTART_FIX =
    "look at `docker logs` of the Stalwart container on the mailbox host (registry.build-error lines name the object), fix the cause, then restart it";

async function probe(ctx: DoctorContext, path: string, signal: AbortSignal): Promise<string | undefined> {
    const r = await ctx.stalwart.get(path, { signal });
    await r.body?.cancel();
    return r.status === 200 ? undefined : `${path} answered HTTP ${r.status}`;
}

const healthCheck: Check = {
    id: "stalwart.health",
    fix: RESTART_FIX,
    async run(ctx, signal) {
        const problems = [await probe(ctx, "/healthz/live", signal), await probe(ctx, "/healthz/ready", signal)].filter(
            (p): p is string => p !== undefined,
        );
        if (problems.length === 0)
            return { status: "ok", detail: `${ctx.target.stalwart.url}: /healthz/live and /healthz/ready answer 200` };
        const ready = problems.some((p) => p.startsWith("/healthz/ready"));
        const fix = ready
            ? `Stalwart has no data store (ready is 503 only then): check its config.json and that Postgres (${ctx.target.settings.postgres.host}) accepts the role ${ctx.target.settings.postgres.role}; ${RESTART_FIX}`
            : RESTART_FIX;
        return { status: "fail", detail: problems.join("; "), fix };
    },
};

/** "v0.16.18" from a tag like 0.16.18, v0.16.18-alpine; undefined for the moving v0.16 line. */
export function pinnedRelease(image: string): { tag?: string; release?: string } {
    const { tag } = parseImageRef(image);
    const m = tag ? /^v?(0\.16\.\d+)/.exec(tag) : null;
    return { tag, release: m ? `v${m[1]}` : undefined };
}

function compare(ctx: DoctorContext, sha: string): Outcome {
    const { image } = ctx.target.settings.stalwart;
    const { tag, release } = pinnedRelease(image);
    const served = Object.entries(ctx.knownSchemas).find(([, known]) => known === sha)?.[0];
    const short = `${sha.slice(0, 12)}…`;
    const recreate =
        "compare the container's image (`docker -H <mailbox docker host> inspect stalwart`) with stalwart.image; `pulumi up` recreates it from the pinned image";
    if (!release) {
        return {
            status: "warn",
            detail: `stalwart.image ${image} (tag ${tag ?? "none"}) names no exact release; the server serves ${served ? `${served}'s registry schema` : `a registry schema this project does not know (sha256 ${short})`}`,
            fix: "pin an exact release, e.g. stalwartlabs/stalwart:v0.16.18, so the running version is known",
        };
    }
    const expected = ctx.knownSchemas[release];
    if (expected === undefined) {
        const known = Object.keys(ctx.knownSchemas).join(", ");
        return {
            status: "warn",
            detail: `stalwart.image pins ${release}, whose registry schema this project does not know (it knows ${known}); the server serves ${served ?? `sha256 ${short}`}`,
            fix: `pin a release this project knows (${known}), or add ${release}'s schema to it (npm run generate:schema, docs/decisions/011-schema-sources-in-repo.md) so the provider and the doctor know it`,
        };
    }
    if (expected === sha)
        return {
            status: "ok",
            detail: `the server serves ${release}'s registry schema (sha256 ${short}), as stalwart.image ${image} pins`,
        };
    return {
        status: "fail",
        detail: `stalwart.image pins ${release} but the server serves ${served ? `${served}'s registry schema` : `another registry schema (sha256 ${short}, ${release}'s is ${expected.slice(0, 12)}…)`}: it runs another build`,
        fix: recreate,
    };
}

const versionCheck: Check = {
    id: "stalwart.version",
    fix: "make sure the management API answers GET /api/schema with the credentials given",
    async run(ctx) {
        return compare(ctx, await ctx.stalwart.schemaSha256());
    },
};

export const healthChecks = (): Check[] => [healthCheck, versionCheck];
