/**
 * The edge rule: the caddy.json uploaded into the Caddy container makes every layer4 server pass
 * its connections on with a PROXY protocol v2 header, the only way Stalwart learns the client's
 * address (SPF, DNSBL and rate limits depend on it). The file is read from the container's
 * `uploads`, exactly as the preview would write it.
 */
import { isRecord, isUnknown, labelMap, listOf, type ResourceView, ROLE_LABEL, TYPES } from "./resource";

const CADDY_JSON = /(^|\/)caddy\.json$/;

/** The uploaded caddy.json files: [path, text] (undefined text: not known during this preview). */
function caddyUploads(r: ResourceView): [string, string | undefined][] {
    const out: [string, string | undefined][] = [];
    for (const u of listOf(r.props.uploads)) {
        if (!isRecord(u) || typeof u.file !== "string" || !CADDY_JSON.test(u.file)) continue;
        if (typeof u.content === "string") out.push([u.file, isUnknown(u.content) ? undefined : u.content]);
        else if (typeof u.contentBase64 === "string")
            out.push([
                u.file,
                isUnknown(u.contentBase64) ? undefined : Buffer.from(u.contentBase64, "base64").toString("utf8"),
            ]);
        else out.push([u.file, ""]);
    }
    return out;
}

/** Every handler of a route list, subroutes included. */
function handlersOf(routes: unknown): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const route of listOf(routes)) {
        if (!isRecord(route)) continue;
        for (const h of listOf(route.handle)) {
            if (!isRecord(h)) continue;
            out.push(h);
            if (h.handler === "subroute") out.push(...handlersOf(h.routes));
        }
    }
    return out;
}

/** What is wrong with one caddy.json's servers (empty: every server proxies with PROXY v2). */
export function caddyJsonProblems(text: string): string[] {
    let doc: unknown;
    try {
        doc = JSON.parse(text);
    } catch (e) {
        return [`is not valid JSON (${(e as Error).message})`];
    }
    const servers =
        isRecord(doc) && isRecord(doc.apps) && isRecord(doc.apps.layer4) ? doc.apps.layer4.servers : undefined;
    if (!isRecord(servers) || Object.keys(servers).length === 0) return ["has no apps.layer4.servers"];
    const out: string[] = [];
    for (const [name, server] of Object.entries(servers)) {
        const proxies = handlersOf(isRecord(server) ? server.routes : undefined).filter((h) => h.handler === "proxy");
        if (proxies.length === 0) out.push(`server ${name} has no proxy handler`);
        for (const p of proxies) {
            if (p.proxy_protocol !== "v2")
                out.push(`server ${name} proxies with proxy_protocol ${JSON.stringify(p.proxy_protocol ?? "unset")}`);
        }
    }
    return out;
}

export function edgeProxyV2Violations(r: ResourceView): string[] {
    if (r.type !== TYPES.container) return [];
    const uploads = caddyUploads(r);
    const isEdge = labelMap(r.props.labels)[ROLE_LABEL] === "edge";
    if (uploads.length === 0) {
        return isEdge
            ? [
                  `edge container ${r.name} uploads no caddy.json; upload the rendered caddy.json (renderCaddyJson) to /etc/caddy/caddy.json`,
              ]
            : [];
    }
    const fix = `every layer4 server must proxy to Stalwart with "proxy_protocol": "v2" (set edge.proxyProtocol: v2)`;
    return uploads.flatMap(([file, text]) =>
        text === undefined ? [] : caddyJsonProblems(text).map((p) => `container ${r.name}: ${file} ${p}; ${fix}`),
    );
}
