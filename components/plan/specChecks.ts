/**
 * Input checks shared by the pure renderers (mailbox, edge, tailnet). Each throws an Error that
 * names the field, shows what was seen and says how to fix it; none of them ever echoes a secret
 * (they only see names, ports and image references).
 */

/** docker container and volume names: what the daemon accepts (`[a-zA-Z0-9][a-zA-Z0-9_.-]+`). */
export const DOCKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function assertDockerName(field: string, value: string): void {
    if (!DOCKER_NAME.test(value)) {
        throw new Error(`${field} ${JSON.stringify(value)} is not a valid docker name; use letters, digits, "_", "." or "-", starting with a letter or digit`);
    }
}

/**
 * An image reference must pin a version: a tag other than `latest`, or a digest. A floating tag
 * would let a restart silently upgrade Stalwart across a store-format change.
 */
export function assertPinnedImage(field: string, image: string): void {
    if (image.trim() === "" || /\s/.test(image)) {
        throw new Error(`${field} ${JSON.stringify(image)} is not an image reference; give e.g. "repo/name:1.2.3"`);
    }
    if (image.includes("@sha256:")) return;
    const lastPart = image.slice(image.lastIndexOf("/") + 1);
    const colon = lastPart.lastIndexOf(":");
    const tag = colon >= 0 ? lastPart.slice(colon + 1) : "";
    if (tag === "" || tag === "latest") {
        throw new Error(`${field} ${JSON.stringify(image)} does not pin a version; add an explicit tag (not "latest") or an @sha256 digest`);
    }
}

export function assertPort(field: string, port: number): void {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw new Error(`${field} ${JSON.stringify(port)} is not a TCP port; use an integer from 1 to 65535`);
    }
}

/** A non-empty list of valid, distinct ports. */
export function assertPortList(field: string, ports: readonly number[]): void {
    if (ports.length === 0) {
        throw new Error(`${field} is empty; list at least one port`);
    }
    const seen = new Set<number>();
    for (const [i, port] of ports.entries()) {
        assertPort(`${field}[${i}]`, port);
        if (seen.has(port)) {
            throw new Error(`${field} lists port ${port} twice; list each port once`);
        }
        seen.add(port);
    }
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function assertEnvName(field: string, name: string): void {
    if (!ENV_NAME.test(name)) {
        throw new Error(`${field} ${JSON.stringify(name)} is not an environment variable name; use letters, digits and "_", not starting with a digit`);
    }
}

/** `host:port` or `[v6]:port` → its parts, or an Error naming the field. */
export function splitHostPort(field: string, address: string): { host: string; port: number } {
    const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d+)$/.exec(address);
    if (!match) {
        throw new Error(`${field} ${JSON.stringify(address)} is not "host:port"; write e.g. "127.0.0.1:9002" or "[::1]:9002"`);
    }
    const port = Number(match[2]);
    assertPort(`${field} port`, port);
    return { host: match[1]!, port };
}
