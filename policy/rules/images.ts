/**
 * The image rule: every image a preview would pull, build or run is pinned. A digest always pins;
 * otherwise the tag must name a release: not missing (Docker then pulls `latest`), not a moving name
 * (`latest`, `…-latest`, `stable`, `edge`, `nightly`, `main`, `master`), not a pre-release (`-rc…`,
 * `beta`, `alpha`) and not a bare major (`v1`, `2`) that moves with every release. A major.minor tag
 * such as Stalwart's `v0.16` passes: the stack config already warns about it (components/config/rules.ts).
 */
import { isUnknown, type ResourceView, TYPES } from "./resource";

const DIGEST = /@sha256:[0-9a-f]{64}$/;
const IMAGE_ID = /^sha256:[0-9a-f]{64}$/;
const MOVING = new Set(["latest", "stable", "edge", "nightly", "main", "master"]);

/** Why `ref` is not pinned, or undefined when it is. */
export function imagePinProblem(ref: string): string | undefined {
    if (DIGEST.test(ref)) return undefined;
    const last = ref.slice(ref.lastIndexOf("/") + 1);
    const colon = last.lastIndexOf(":");
    const tag = colon >= 0 ? last.slice(colon + 1).toLowerCase() : "";
    if (tag === "") return "has no tag, so Docker pulls `latest`";
    if (MOVING.has(tag) || tag.endsWith("-latest")) return `uses the moving tag ${JSON.stringify(tag)}`;
    if (/(^|[-._])rc([-._]?\d|$)/.test(tag) || /beta|alpha/.test(tag))
        return `uses the pre-release tag ${JSON.stringify(tag)}`;
    if (/^v?\d+$/.test(tag)) return `uses the bare major tag ${JSON.stringify(tag)}, which moves with every release`;
    return undefined;
}

/** The image references a resource names: [input, reference]. */
function referencesOf(r: ResourceView): [string, unknown][] {
    switch (r.type) {
        case TYPES.remoteImage:
            return [["name", r.props.name]];
        case TYPES.image:
            return [["imageName", r.props.imageName]];
        case TYPES.container:
            return [["image", r.props.image]];
        default:
            return [];
    }
}

export function imagePinViolations(r: ResourceView): string[] {
    const out: string[] = [];
    for (const [input, ref] of referencesOf(r)) {
        // a container runs an image by id when it takes a RemoteImage's or Image's output: pinned by nature
        if (typeof ref !== "string" || isUnknown(ref) || IMAGE_ID.test(ref)) continue;
        const problem = imagePinProblem(ref);
        if (problem)
            out.push(
                `${r.name} ${input} ${JSON.stringify(ref)} ${problem}; pin a release tag (e.g. "stalwartlabs/stalwart:v0.16.18") or add an @sha256 digest`,
            );
    }
    return out;
}
