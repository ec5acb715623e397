/**
 * Container rules: Stalwart lives inside the Tailscale sidecar's network namespace and publishes
 * nothing (the edge is the only way in), and every container keeps its data on named volumes (an
 * anonymous volume is orphaned on each recreate; a bind mount ties data to one host's paths).
 */
import { isRecord, isUnknown, labelMap, listOf, type ResourceView, ROLE_LABEL, TYPES } from "./resource";

/** An image id (what a container gets from a RemoteImage), not a reference that names a repository. */
const IMAGE_ID = /^sha256:[0-9a-f]{64}$/;
const STALWART_REPOSITORY = /(^|\/)stalwartlabs\/(stalwart|mail-server)([:@]|$)/;

/** The Stalwart container: the role label the components set, or a Stalwart image named directly. */
export function isStalwartContainer(r: ResourceView): boolean {
    if (r.type !== TYPES.container) return false;
    if (labelMap(r.props.labels)[ROLE_LABEL] === "stalwart") return true;
    const image = r.props.image;
    return typeof image === "string" && !isUnknown(image) && !IMAGE_ID.test(image) && STALWART_REPOSITORY.test(image);
}

/** Stalwart publishes no ports, has no hostname and joins a `container:` network namespace. */
export function stalwartIsolationViolations(r: ResourceView): string[] {
    if (!isStalwartContainer(r)) return [];
    const p = r.props;
    const where = `Stalwart container ${r.name}`;
    const out: string[] = [];
    const ports = listOf(p.ports);
    if (ports.length > 0) {
        out.push(
            `${where} publishes ${ports.length} port(s); remove them: the edge (Caddy L4) is the only container that publishes mail ports`,
        );
    }
    if (p.publishAllPorts === true) {
        out.push(`${where} sets publishAllPorts, which publishes every port the image exposes; remove it`);
    }
    if (typeof p.hostname === "string" && p.hostname !== "") {
        out.push(
            `${where} sets hostname ${JSON.stringify(p.hostname)}; a container in another's network namespace takes that container's name, remove it`,
        );
    }
    const mode = p.networkMode;
    if (!isUnknown(mode) && !(typeof mode === "string" && mode.startsWith("container:"))) {
        out.push(
            `${where} has networkMode ${JSON.stringify(mode ?? "bridge (default)")}; set "container:<sidecar>" so it shares the Tailscale sidecar's network namespace`,
        );
    }
    if (listOf(p.networksAdvanced).length > 0) {
        out.push(
            `${where} joins docker networks (networksAdvanced); remove them, it reaches the tailnet through the sidecar's namespace only`,
        );
    }
    return out;
}

function mountViolation(m: unknown): string | undefined {
    if (!isRecord(m)) return undefined;
    const target = JSON.stringify(m.target);
    if (isUnknown(m.type) || isUnknown(m.source)) return undefined;
    if (m.type === "bind") return `bind-mounts ${JSON.stringify(m.source)} at ${target}`;
    if (m.type !== "volume") return `mounts a ${JSON.stringify(m.type)} at ${target}`;
    if (typeof m.source !== "string" || m.source === "") return `mounts an anonymous volume at ${target}`;
    return undefined;
}

function volumeViolation(v: unknown): string | undefined {
    if (!isRecord(v)) return undefined;
    const target = JSON.stringify(v.containerPath);
    if (typeof v.hostPath === "string" && v.hostPath !== "")
        return `bind-mounts ${JSON.stringify(v.hostPath)} at ${target}`;
    if (typeof v.fromContainer === "string" && v.fromContainer !== "")
        return `takes the volumes of container ${JSON.stringify(v.fromContainer)}`;
    if (isUnknown(v.volumeName)) return undefined;
    if (typeof v.volumeName !== "string" || v.volumeName === "") return `mounts an anonymous volume at ${target}`;
    return undefined;
}

/** Every container mounts named docker volumes only: no bind mounts, no anonymous volumes, no tmpfs. */
export function namedVolumeViolations(r: ResourceView): string[] {
    if (r.type !== TYPES.container) return [];
    const found = [...listOf(r.props.mounts).map(mountViolation), ...listOf(r.props.volumes).map(volumeViolation)];
    return found
        .filter((m): m is string => m !== undefined)
        .map(
            (m) =>
                `container ${r.name} ${m}; mount a named docker volume (mounts: [{type: "volume", source: "<name>", target: …}]) so the data outlives a recreate`,
        );
}
