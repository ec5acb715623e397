/**
 * Reachability of every backend the deployment talks to, from where the doctor runs (a machine on
 * the tailnet, like the one running `pulumi up`): the name resolves and the port accepts a TCP
 * connection. Postgres, Redis, Garage's S3 and admin APIs, and Stalwart's management API.
 */
import { openTcp, resolveHost } from "./tcp";
import type { Check, DoctorTarget } from "./types";

interface Backend {
    id: string;
    what: string;
    /** where the stack says it is, for the fix */
    key: string;
    host?: string;
    port?: number;
    /** why the address is unknown */
    unknown?: string;
}

/** The management API's host and port, from the URL the Stalwart checks use. */
function apiBackend(url: string): Backend {
    const b = {
        id: "backend.stalwart-api",
        what: "Stalwart management API",
        key: "stalwart:url (or STALWART_URL, else tailwart:stalwart.managementUrl)",
    };
    const api = URL.canParse(url) ? new URL(url) : undefined;
    if (!api || !/^https?:$/.test(api.protocol)) return { ...b, unknown: `${url} is not an http(s) URL` };
    return {
        ...b,
        host: api.hostname.replace(/^\[|\]$/g, ""),
        port: api.port ? Number(api.port) : api.protocol === "https:" ? 443 : 80,
    };
}

function backendsOf(t: DoctorTarget): Backend[] {
    const s = t.settings;
    return [
        {
            id: "backend.postgres",
            what: "Postgres",
            key: "tailwart:postgres.host / postgres.port",
            host: s.postgres.host,
            port: s.postgres.port,
        },
        "unknown" in t.redis
            ? { id: "backend.redis", what: "Redis", key: "tailwart:redis.url", unknown: t.redis.unknown }
            : { id: "backend.redis", what: "Redis", key: "tailwart:redis.url", host: t.redis.host, port: t.redis.port },
        {
            id: "backend.garage-s3",
            what: "Garage S3 API",
            key: "tailwart:garage.s3Endpoint",
            host: s.endpoints.garageS3.host,
            port: s.endpoints.garageS3.port,
        },
        {
            id: "backend.garage-admin",
            what: "Garage admin API",
            key: "tailwart:garage.adminEndpoint",
            host: s.endpoints.garageAdmin.host,
            port: s.endpoints.garageAdmin.port,
        },
        apiBackend(t.stalwart.url),
    ];
}

function backendCheck(b: Backend): Check {
    const notResolved = `run the doctor from a machine on the tailnet (\`tailscale status\` lists the backend's node), and check that ${b.key} names its full MagicDNS name`;
    const noAnswer = `check that the ${b.what} runs and listens on that port, and that the tailnet policy lets this machine reach it; fix ${b.key} if the port is wrong`;
    return {
        id: b.id,
        fix: noAnswer,
        async run(ctx, signal) {
            if (b.unknown !== undefined || b.host === undefined || b.port === undefined) {
                const fix =
                    b.id === "backend.redis"
                        ? "export TAILWART_REDIS_URL with the Redis URL (only its host and port are read; it is never printed)"
                        : `set ${b.key} to a URL such as http://ts-stalwart.<tailnet>:8080`;
                return { status: "fail", detail: `${b.what} address unknown: ${b.unknown}`, fix };
            }
            const started = Date.now();
            const addresses = await resolveHost(ctx.net, b.host, notResolved);
            const socket = await openTcp(ctx.net, b.host, b.port, signal, noAnswer);
            socket.destroy();
            const via = addresses.length === 1 && addresses[0] === b.host ? "" : ` (${addresses.join(", ")})`;
            return {
                status: "ok",
                detail: `${b.what} ${b.host}${via} port ${b.port} answers (${Date.now() - started} ms)`,
            };
        },
    };
}

export function backendChecks(target: DoctorTarget): Check[] {
    return backendsOf(target).map(backendCheck);
}
