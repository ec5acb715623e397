import { type ConfigIssue, issue, none } from "./issue";
import { clip, shown } from "./mask";
import { parseImageRef, STALWART_TAG } from "./validators";

/**
 * Image pins. One predicate says whether a tag moves, and every image key uses it (Stalwart,
 * Tailscale, the edge, and any image a later key adds): a moving tag lets a restart pull another
 * build silently, so a deploy is no longer what was reviewed.
 */

/**
 * pinned: a release tag or a digest; line: a major.minor tag that follows patch releases (deploys,
 * with a warning); moving: anything that can jump further (refused).
 */
export type TagKind = "pinned" | "line" | "moving";

/** Words that name a channel, not a release, as the tag or as a part of it (v0.16-rc, latest-alpine, 1.2-beta.3). */
const CHANNEL =
    /(^|[-_.])(latest|stable|unstable|edge|nightly|dev|develop|main|master|beta|alpha|rc|canary|preview|next|testing|snapshot)\d*(?=$|[-_.+])/;

/** A leading version: major, minor, patch (a date-like 20240101 is not a major version). */
const VERSION = /^v?(\d{1,3})(?:\.(\d+))?(?:\.(\d+))?(?=$|[-_+])/;

/** The one "does this tag move?" predicate. A digest pins whatever the tag says. */
export function tagKind(tag: string | undefined, digest?: string): TagKind {
    if (digest) return "pinned";
    if (tag === undefined || tag === "") return "moving";
    const t = tag.toLowerCase();
    if (CHANNEL.test(t)) return "moving";
    const v = VERSION.exec(t);
    if (!v) return "pinned";
    if (v[2] === undefined) return "moving";
    return v[3] === undefined ? "line" : "pinned";
}

/** Whitespace or an empty part makes a reference docker cannot pull. */
export const imageSyntaxProblem = (path: string, image: string, example: string): ConfigIssue[] =>
    /\s/.test(image) || /(^[:@/])|([:@/]$)/.test(image)
        ? issue(path, `${path} ${shown(image)} is not an image reference; write it as repository:tag, e.g. ${example}`)
        : none;

const movingIssue = (
    path: string,
    image: string,
    tag: string | undefined,
    example: string,
    why: string,
): ConfigIssue[] =>
    issue(
        path,
        `${path} ${shown(image)} is not pinned; name a release tag or a digest, e.g. ${example} (${tag ? shown(tag) : "no tag, i.e. latest,"} moves: ${why})`,
    );

/** Refused unless pinned (or on a major.minor line, which the warnings flag). */
export function pinnedImage(path: string, image: string, example: string): ConfigIssue[] {
    const syntax = imageSyntaxProblem(path, image, example);
    if (syntax.length) return syntax;
    const { tag, digest } = parseImageRef(image);
    return tagKind(tag, digest) === "moving"
        ? movingIssue(path, image, tag, example, "a restart could pull another build silently")
        : none;
}

/** The stock Caddy image: it has no layer4 app, so caddy.json would not load. */
const STOCK_CADDY = /^(?:(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\/)?(?:library\/)?caddy$/i;

export function edgeImage(image: string): ConfigIssue[] {
    const path = "edge.image";
    const example = "registry.example.com/caddy-l4:2.11.4";
    const pinned = pinnedImage(path, image, example);
    if (pinned.length) return pinned;
    return STOCK_CADDY.test(parseImageRef(image).repository)
        ? issue(
              path,
              `${path} ${shown(image)} is the stock Caddy image, which lacks the layer4 app the edge's caddy.json needs; remove edge.image to build from caddy/, or name a Caddy build with caddy-l4, e.g. ${example}`,
          )
        : none;
}

export function stalwartImage(image: string): ConfigIssue[] {
    const path = "stalwart.image";
    const example = "stalwartlabs/stalwart:v0.16.18";
    const syntax = imageSyntaxProblem(path, image, example);
    if (syntax.length) return syntax;
    const { repository, tag, digest } = parseImageRef(image);
    if (tag === undefined && digest) {
        return issue(
            path,
            `${path} ${shown(image)} pins a digest but names no tag, so its version cannot be checked; add the v0.16 tag in front of the digest, e.g. ${clip(`${repository}:v0.16.18@${digest}`)}`,
        );
    }
    if (tagKind(tag, digest) === "moving") {
        return movingIssue(
            path,
            image,
            tag,
            example,
            "a restart could pull another release, even 1.0, whose store and settings schema differ",
        );
    }
    if (!STALWART_TAG.test(tag ?? "")) {
        return issue(
            path,
            `${path} tag ${shown(tag)} is not a v0.16 release; use v0.16 or v0.16.<patch>, e.g. ${example} (this project manages the v0.16 settings schema; 1.0 needs a migration)`,
        );
    }
    return none;
}

/** The image keys a stack may set, each with its example; the warnings flag a major.minor line on any of them. */
export const IMAGE_KEYS = {
    "stalwart.image": "stalwartlabs/stalwart:v0.16.18",
    "mailbox.tailscaleImage": "tailscale/tailscale:v1.90.6",
    "edge.image": "registry.example.com/caddy-l4:2.11.4",
} as const;

/** A line tag (v0.16, v1.90, 2.11) without a digest: it deploys, and a restart may pull a newer patch. */
export function lineTagWarning(path: keyof typeof IMAGE_KEYS, image: string | undefined): ConfigIssue[] {
    if (image === undefined) return none;
    const { tag, digest } = parseImageRef(image);
    if (tagKind(tag, digest) !== "line") return none;
    const what = path === "stalwart.image" ? "the v0.16 line" : `the ${shown(tag)} line`;
    return issue(
        path,
        `${path} ${shown(image)} follows ${what}: a restart may pull a newer patch; pin one (e.g. ${IMAGE_KEYS[path]}) or add its @sha256 digest for repeatable deploys`,
    );
}
