import { isIP } from "node:net";
import { clip, maskUrl, shown, splitUserinfo } from "./mask";
import { fqdnProblem } from "./validators";

/**
 * Docker host URLs (`DOCKER_HOST`): what makes one unsafe, and when two name the same machine.
 * The Docker API is root on its host, so it is reached over ssh:// (keys only) or over tcp://
 * with mutual TLS; never over plain tcp://, and never with a password that would sit in clear in
 * the docker provider's inputs, the restart command and the plan.
 */

export const DOCKER_HOST = /^(unix|ssh|tcp|npipe):\/\/.+/;

/** A docker host's address: how it is meant (mailbox: a tailnet host; edge: a public or tailnet name), for the hints. */
export interface DockerHostHint {
    /** the stack's tailnet, when known */
    tailnet?: string;
    /** the stack's domain, when known (the edge's example is edge.<domain>) */
    domain?: string;
    kind: "tailnet" | "public";
    /** the key holding the TLS settings for tcp:// (mailbox.dockerTls), and whether the stack sets them */
    tlsKey?: string;
    tls?: boolean;
}

const DEFAULT_PORT: Record<string, number> = { ssh: 22, tcp: 2376 };

interface RemoteParts {
    scheme: "ssh" | "tcp";
    /** the user part without any password; undefined when there is none */
    user?: string;
    password: boolean;
    host: string;
    port?: string;
    /** what follows host[:port] */
    after: string;
}

function remoteParts(text: string): RemoteParts | undefined {
    const parts = splitUserinfo(text);
    const scheme = parts?.prefix.slice(0, -3).toLowerCase();
    if (!parts || (scheme !== "ssh" && scheme !== "tcp")) return undefined;
    const [, host = "", port] = /^(\[[^\]]*\]|[^:/?#]*)(?::([^/?#]*))?/.exec(parts.rest) ?? [];
    const colon = parts.userinfo?.indexOf(":") ?? -1;
    return {
        scheme,
        user: parts.userinfo === undefined ? undefined : colon < 0 ? parts.userinfo : parts.userinfo.slice(0, colon),
        password: colon >= 0,
        host,
        port,
        after: parts.rest.slice(host.length + (port === undefined ? 0 : port.length + 1)),
    };
}

/** ssh, scp and docker read a part starting with "-" as an option: `ssh://-oProxyCommand=…@x` runs a command. */
function optionLikeParts(p: RemoteParts): string[] {
    return [p.user ?? "", p.host, p.port ?? "", ...p.after.split("/")].filter((part) => part.startsWith("-"));
}

function hostProblems(
    p: RemoteParts,
    quoted: string,
    hint: DockerHostHint,
    withHost: (h: string, rest?: string) => string,
): string[] {
    const bare = p.host.startsWith("[") && p.host.endsWith("]") ? p.host.slice(1, -1) : p.host;
    const label = bare.split(".")[0] || (hint.kind === "tailnet" ? "mailbox" : "edge");
    const tailnet = hint.tailnet ?? "tailXXXX.ts.net";
    const suggest = hint.kind === "tailnet" ? `${label}.${tailnet}` : `${label}.${hint.domain ?? "example.com"}`;
    if (p.host === "") return [`${quoted} has no host; write it as ${withHost(suggest)}`];
    if (isIP(bare) !== 0) return [];
    if (bare.replace(/\.$/, "").split(".").length < 2) {
        return [
            hint.kind === "tailnet"
                ? `${quoted} has the bare host ${shown(p.host)}, which resolves only where tailnet DNS search happens to apply; write its full MagicDNS name or an IP address, e.g. ${withHost(suggest)}`
                : `${quoted} has the bare host ${shown(p.host)}; write a full DNS name (its public name, or <host>.<tailnet>) or an IP address, e.g. ${withHost(suggest)} or ${withHost(`${label}.${tailnet}`)}`,
        ];
    }
    const problem = fqdnProblem(bare, { kind: hint.kind });
    return problem ? [`${quoted} has the host ${problem}`] : [];
}

function schemeProblems(p: RemoteParts, quoted: string, hint: DockerHostHint): string[] {
    const tlsKey = hint.tlsKey ?? "dockerTls";
    if (p.scheme === "ssh") {
        return p.password
            ? [
                  `${quoted} carries a password, which would sit in clear in the docker provider's inputs, the restart command and the plan; docker's ssh:// connects with keys only: remove ":<password>" and load the key into ssh-agent or ~/.ssh/config`,
              ]
            : [];
    }
    const problems: string[] = [];
    if (p.user !== undefined)
        problems.push(
            `${quoted} carries a user or password, which tcp:// does not use (the TLS client certificate in ${tlsKey} authenticates); remove it`,
        );
    if (!hint.tls) {
        problems.push(
            `${quoted} is the Docker API without TLS: whoever reaches the port is root on the host; use ssh://user@host, or keep tcp:// on the TLS port (2376) and set ${tlsKey}.caCert, ${tlsKey}.cert and ${tlsKey}.key (e.g. \`pulumi config set --secret --path tailwart:${tlsKey}.key "$(cat key.pem)"\`)`,
        );
    }
    return problems;
}

/**
 * Problems of a docker host URL: for ssh:// and tcp:// the host must be a full DNS name or an IP
 * address (a bare name resolves only where a search domain happens to apply) and no part may look
 * like an option; ssh:// carries no password; tcp:// needs an explicit port and TLS. unix:// and
 * npipe:// are taken as they are.
 */
export function dockerHostProblems(text: string, hint: DockerHostHint): string[] {
    const trimmed = text.trim();
    const quoted = shown(trimmed);
    if (!DOCKER_HOST.test(trimmed) || /\s/.test(trimmed)) {
        return [
            `${quoted} is not a docker host URL; use ssh://user@host, unix:///var/run/docker.sock or tcp://host:2376 with TLS`,
        ];
    }
    const p = remoteParts(trimmed);
    if (!p) return [];
    const dashed = optionLikeParts(p);
    if (dashed.length > 0) {
        return [
            `${quoted} has a part starting with "-" (${shown(dashed[0])}), which ssh reads as an option (e.g. -oProxyCommand runs a command); write a plain user, host and port, e.g. ssh://deploy@host.example.com`,
        ];
    }
    const userPart = p.user === undefined ? "" : `${p.user}@`;
    const withHost = (h: string, rest = p.after) => clip(maskUrl(`${p.scheme}://${userPart}${h}${rest}`));
    const problems = [...schemeProblems(p, quoted, hint), ...hostProblems(p, quoted, hint, withHost)];
    if (p.port === undefined || p.port === "") {
        if (p.scheme === "tcp")
            problems.push(
                `${quoted} has no explicit port; add it, e.g. ${withHost(p.host === "" ? "<host>" : p.host, `:2376${p.after}`)} (Docker's TLS port)`,
            );
    } else if (!/^\d+$/.test(p.port) || Number(p.port) < 1 || Number(p.port) > 65535) {
        problems.push(`${quoted} has port ${shown(p.port)}, which is not a TCP port (1-65535)`);
    }
    return problems;
}

/**
 * The one normal form of a docker host URL: scheme and host in lower case, the host without a
 * trailing dot, the default port written out (ssh 22, tcp 2376), no password, no trailing "/";
 * a socket path with /var/run read as /run (one is a link to the other).
 */
export function normalizeDockerHost(text: string): string {
    const trimmed = text.trim();
    const p = remoteParts(trimmed);
    if (!p) {
        const m = /^([a-z]+):\/\/(.*)$/is.exec(trimmed);
        if (!m) return trimmed;
        const path = (m[2] ?? "").replace(/\/+$/, "").replace(/^\/var\/run\//, "/run/");
        return `${m[1]!.toLowerCase()}://${path}`;
    }
    const host = p.host.toLowerCase().replace(/\.(?=\]?$)/, "");
    const port = p.port === undefined || p.port === "" ? String(DEFAULT_PORT[p.scheme]) : String(Number(p.port));
    const after = p.after.replace(/\/+$/, "");
    return `${p.scheme}://${p.user === undefined ? "" : `${p.user}@`}${host}:${port}${after}`;
}

/**
 * The machine a docker host reaches, from the normal form: a remote host by name (and by port when
 * it is not the scheme's default), whatever the user or scheme; a socket by its path.
 */
function machineOf(text: string): string {
    const normal = normalizeDockerHost(text);
    const p = remoteParts(normal);
    if (!p) return normal;
    return Number(p.port) === DEFAULT_PORT[p.scheme] ? p.host : `${p.host}:${p.port}`;
}

/** Do two docker host URLs reach the same daemon? Every rule that asks uses this. */
export function sameDockerHost(a: string, b: string): boolean {
    return machineOf(a) === machineOf(b);
}
