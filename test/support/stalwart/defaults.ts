/**
 * What a fresh Stalwart v0.16 stores at its first normal boot (https://stalw.art/docs, the safe
 * defaults; docs/stalwart-facts.md#first-boot-defaults): seven listeners on `[::]` (no 587, no 143), the four default
 * roles and the x:Authentication naming them, a Log tracer to /var/log/stalwart, the tracing and
 * metrics stores set to Default, two MTA routes. Each default is inserted only when its type has no
 * object yet; x:SystemSettings is not stored (its defaults apply until a first write). A server
 * started in recovery mode inserts none of them: the simulator's plain start.
 */
import { SINGLETON_ID } from "./ids";
import type { Registry } from "./registry";
import type { JsonObject } from "./tableView";

/** The first-boot listeners: name, protocol, port, implicit TLS (all `useTls`, all on `[::]`). */
export const FIRST_BOOT_LISTENERS: readonly (readonly [string, string, number, boolean])[] = [
    ["smtp", "smtp", 25, false],
    ["submissions", "smtp", 465, true],
    ["imaps", "imap", 993, true],
    ["pop3s", "pop3", 995, true],
    ["sieve", "manageSieve", 4190, false],
    ["https", "http", 443, true],
    ["http", "http", 8080, false],
];

const ROLES = ["User", "Group", "Tenant Administrator", "System Administrator"];

/** A new object of `type` (and variant) at its defaults, with `values` over them. */
function make(registry: Registry, type: string, values: JsonObject, variant?: string): JsonObject {
    return { ...registry.view.defaultObject(registry.descriptor(type).schema, variant), ...values };
}

function insert(registry: Registry, type: string, obj: JsonObject): string {
    const id = registry.allocateId(type);
    registry.put(type, id, obj);
    return id;
}

const empty = (registry: Registry, type: string) =>
    registry.view.object(type) !== undefined && registry.entries(type).length === 0;

export function insertFirstBootDefaults(registry: Registry): void {
    if (empty(registry, "x:NetworkListener")) {
        for (const [name, protocol, port, tlsImplicit] of FIRST_BOOT_LISTENERS) {
            insert(
                registry,
                "x:NetworkListener",
                make(registry, "x:NetworkListener", {
                    name,
                    protocol,
                    bind: { [`[::]:${port}`]: true },
                    useTls: true,
                    tlsImplicit,
                }),
            );
        }
    }
    if (empty(registry, "x:Role")) {
        const [user, group, tenant, admin] = ROLES.map((description) =>
            insert(registry, "x:Role", make(registry, "x:Role", { description })),
        );
        if (!registry.get("x:Authentication", SINGLETON_ID)) {
            const set = (...ids: string[]) => Object.fromEntries(ids.map((id) => [id, true]));
            const roles = {
                defaultUserRoleIds: set(user!),
                defaultGroupRoleIds: set(group!),
                defaultTenantRoleIds: set(tenant!, user!),
                defaultAdminRoleIds: set(admin!, user!),
            };
            registry.put("x:Authentication", SINGLETON_ID, make(registry, "x:Authentication", roles));
        }
    }
    if (empty(registry, "x:Tracer"))
        insert(
            registry,
            "x:Tracer",
            make(registry, "x:Tracer", { path: "/var/log/stalwart", prefix: "stalwart.log", rotate: "daily" }, "Log"),
        );
    for (const type of ["x:TracingStore", "x:MetricsStore"]) {
        if (registry.view.object(type) && !registry.get(type, SINGLETON_ID))
            registry.put(type, SINGLETON_ID, make(registry, type, {}, "Default"));
    }
    if (empty(registry, "x:MtaRoute")) {
        insert(registry, "x:MtaRoute", make(registry, "x:MtaRoute", { name: "mx" }, "Mx"));
        insert(registry, "x:MtaRoute", make(registry, "x:MtaRoute", { name: "local" }, "Local"));
    }
}
