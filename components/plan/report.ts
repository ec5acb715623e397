/**
 * Plain-text rendering of a Plan: what `npm run plan` prints and what a reviewer reads in a pull
 * request. Pure; secrets appear only as the name of the secret they come from, config secrets
 * (Secret values) as their mask, and every URL with its password masked.
 */
import type { Plan } from "./index";
import { SECRETS } from "./index";
import { maskUrl } from "../config/validators";
import { operatorSections } from "./operatorReport";
import { type ContainerSpec, isSecretRef, type VolumeSpec } from "./spec";

/** A URL as it may be printed: a Secret shows its own masked form, clear text its password masked. */
const url = (u: unknown): string => maskUrl(String(u));

function envLine(key: string, value: ContainerSpec["env"][string]): string {
    return isSecretRef(value) ? `${key}=<secret: ${value.secret}>` : `${key}=${value}`;
}

function container(c: ContainerSpec): string[] {
    const lines = [`  container ${c.name}`, `    image         ${c.image}`];
    if (c.command) lines.push(`    command       ${c.command.join(" ")}`);
    lines.push(`    network       ${c.networkMode ?? "default bridge"}`);
    lines.push(
        `    ports         ${c.ports.length ? c.ports.map((p) => `${p.external}->${p.internal}/${p.protocol}`).join(" ") : "none"}`,
    );
    if (c.hostname) lines.push(`    hostname      ${c.hostname}`);
    if (c.dns?.length) lines.push(`    dns           ${c.dns.join(" ")}`);
    lines.push(`    restart       ${c.restart}`);
    if (c.capabilities.length) lines.push(`    capabilities  ${c.capabilities.join(" ")}`);
    for (const d of c.devices) lines.push(`    device        ${d.hostPath}:${d.containerPath}`);
    for (const m of c.mounts)
        lines.push(`    volume        ${m.volume} -> ${m.containerPath}${m.readOnly ? " (ro)" : ""}`);
    for (const f of c.files)
        lines.push(
            `    file          ${f.containerPath} (${f.content.length} bytes${f.mode !== undefined ? `, mode ${f.mode.toString(8)}` : ""})`,
        );
    for (const [k, v] of Object.entries(c.env).sort(([a], [b]) => a.localeCompare(b)))
        lines.push(`    env           ${envLine(k, v)}`);
    if (c.healthcheck) {
        const h = c.healthcheck;
        lines.push(
            `    healthcheck   ${h.test.join(" ")} (every ${h.intervalSeconds}s, timeout ${h.timeoutSeconds}s, start ${h.startPeriodSeconds}s, ${h.retries} retries)`,
        );
    }
    return lines;
}

function imageLine(image: Plan["edge"]["image"]): string {
    return image.kind === "build"
        ? `  image ${image.name} built from ${image.dockerfile} (${Object.entries(image.args)
              .map(([k, v]) => `${k}=${v}`)
              .join(", ")})`
        : `  image ${image.name} (prebuilt)`;
}

/** The backup job: what runs when, where the copies go, where a success is recorded, how to restore. */
function backupSection(b: NonNullable<Plan["backup"]>, database: string): string[] {
    const where =
        b.target.kind === "volume"
            ? `volume ${b.target.volume} on the mailbox host`
            : `Garage bucket ${b.target.bucket} (key ${b.target.keyName} with read+write, created or adopted; S3 at ${url(b.target.s3Endpoint)})`;
    return [
        `== backup job on the mailbox host: pg_dump and stalwart --export, ${b.schedule.description}`,
        `  keeps the newest ${b.retention} in ${where}; each success is recorded in last-success there and as the comment on database ${database} (the doctor reads it)`,
        imageLine(b.image),
        ...container(b.container),
        `  restore, with Stalwart stopped: docker exec ${b.container.name} /usr/local/lib/tailwart/restore.sh latest --confirm ${database} (docs/runbooks/backups.md)`,
        "",
    ];
}

function volume(v: VolumeSpec): string {
    return `  volume ${v.name}  ${v.retain ? "kept on destroy" : "deleted on destroy"}`;
}

function file(title: string, content: string): string[] {
    return [`--- ${title}`, ...content.trimEnd().split("\n"), ""];
}

export function formatPlan(plan: Plan): string {
    const { mailbox, edge, backends, tailnet, stalwart } = plan;
    const auth = tailnet.auth;
    const redis = backends.redis;
    const out = [
        `tailwart plan for stack ${plan.stack}`,
        `data on destroy: ${plan.retainData ? "kept (set allowDataLoss: true to delete it)" : "DELETED (allowDataLoss: true)"}`,
        "",
        ...(plan.warnings.length
            ? ["== warnings (the plan deploys, but look at these)", ...plan.warnings.map((w) => `  - ${w.message}`), ""]
            : []),
        `== mailbox host (${url(mailbox.dockerHost)}) — reached as ${mailbox.fqdn}`,
        ...mailbox.volumes.map(volume),
        ...container(mailbox.sidecar),
        ...container(mailbox.stalwart),
        "",
        ...(plan.backup ? backupSection(plan.backup, backends.postgres.database) : []),
        `== edge host (${url(edge.dockerHost)})`,
        imageLine(edge.image),
        ...edge.volumes.map(volume),
        ...container(edge.caddy),
        "",
        "== tailnet",
        auth.kind === "tailnetKey"
            ? `  auth key: tailscale.TailnetKey (${auth.ephemeral ? "ephemeral" : "persistent"}, preauthorized, tags ${auth.tags.join(",")}, expires after ${auth.expirySeconds}s)`
            : `  auth key: OAuth client secret from tailscale.oauthClientSecret (${auth.ephemeral ? "ephemeral" : "persistent"}, --advertise-tags=${auth.tags.join(",")})`,
        ...(auth.oauthClientId ? [`  OAuth client ${auth.oauthClientId} (tailscale.oauthClientId)`] : []),
        "",
        "== backends",
        `  postgres  ${backends.postgres.host}:${backends.postgres.port}: login role ${backends.postgres.role} (generated password), database ${backends.postgres.database} owned by it, sslmode ${backends.postgres.sslmode}`,
        `  garage    bucket ${backends.garage.bucket}, key ${backends.garage.keyName} with read+write, via ${url(backends.garage.adminEndpoint)}; S3 at ${url(backends.garage.s3Endpoint)} (region ${backends.garage.region})`,
        redis.host !== undefined
            ? `  redis     ${redis.host}:${redis.port} logical DB ${redis.db} (nothing to create), URL ${url(redis.url)}`
            : `  redis     URL encrypted in the stack file (${url(redis.url)}): host, port and DB are read when Pulumi decrypts it`,
        "",
        "== stalwart",
        `  image ${stalwart.image}; public URL ${url(stalwart.publicUrl)}; management API ${url(stalwart.managementUrl)}`,
        `  ACME directory ${url(stalwart.acmeDirectory)}`,
        stalwart.objects.length
            ? "  x:* objects (managed through the management API, then reloaded/restarted as each needs):"
            : "  x:* settings not managed (stalwart.manageSettings: false)",
        ...stalwart.objects.map((o) => {
            const refs = Object.entries(o.refs ?? {})
                .map(([path, key]) => ` ${path}=<id of ${key}>`)
                .join("");
            const hashed = Object.keys(o.passwords ?? {})
                .map((path) => ` ${path}=<argon2id hash of the password>`)
                .join("");
            // Secret values (redis.url with a password, dnsProvider credentials) serialize as their mask
            return `    ${o.objectType.padEnd(20)} ${o.key}: ${JSON.stringify(o.properties)}${refs}${hashed}`;
        }),
        "",
        ...operatorSections(stalwart.operator),
        "== secrets (values never printed)",
        ...Object.entries(SECRETS).map(([name, source]) => `  ${name}: ${source}`),
        "",
        ...file("mailbox:/etc/stalwart/config.json", mailbox.configJson),
        ...file("edge:/etc/caddy/caddy.json", edge.caddyJson),
        ...file("tailnet policy fragment (HuJSON, merge into your policy file)", tailnet.aclHujson),
    ];
    return `${out.join("\n")}\n`;
}
