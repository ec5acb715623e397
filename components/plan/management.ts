/**
 * The management surface stays on the tailnet (decision 013). Stalwart v0.16 serves every endpoint
 * on every HTTP listener, so what the edge forwards to 443 (and 80) would also answer the admin
 * console and the live-telemetry API. `x:Http.allowedEndpoints` is evaluated on each request with
 * the listener's name: the admin paths answer only on the management listener (8080, reached over
 * the tailnet by operators, never forwarded by the edge). JMAP, the account portal and its login
 * API, OAuth, autoconfig and the well-known documents stay open on 443 for users.
 */
import type { HttpProperties } from "../stalwart/generated/types";
import { MANAGEMENT_LISTENER, TAILNET_RANGES } from "../topology";

/**
 * Path prefixes that administer the server or read its telemetry, refused on every listener but the
 * management one: the admin console, live tracing/metrics/delivery tests and their tokens,
 * Prometheus metrics, SCIM provisioning. /api/auth, /api/account, /api/schema and /api/discover
 * stay open: the account portal signs in and renders its forms with them.
 */
export const MANAGEMENT_PATHS = ["/admin", "/api/live", "/api/token", "/metrics", "/scim"] as const;

/** The status a management path answers with on a public listener. */
export const REFUSED_STATUS = "403";

/** The allowedEndpoints condition: a management path, on a listener other than the management one. */
export function managementRestriction(listener: string = MANAGEMENT_LISTENER): string {
    const paths = MANAGEMENT_PATHS.map((p) => `starts_with(path, '${p}')`).join(" || ");
    return `listener != '${listener}' && (${paths})`;
}

/** An x:* spec as the settings plan lists it (StalwartObjectSpec's shape, without importing the plan that lists it). */
export interface ManagementSpec {
    key: string;
    objectType: "x:Http";
    properties: HttpProperties & Record<string, unknown>;
}

/** The x:Http settings that keep the management paths on the tailnet (a singleton: only allowedEndpoints is managed). */
export function managementSpecs(): ManagementSpec[] {
    return [
        {
            key: "http",
            objectType: "x:Http",
            properties: {
                // the wire form of an x:Expression: match is a list keyed by index
                allowedEndpoints: {
                    match: { "0": { if: managementRestriction(), then: REFUSED_STATUS } },
                    else: "200",
                },
            },
        },
    ];
}

/**
 * `allowedIps` for an x:ApiKey the deployment uses: the tailnet ranges, so the key is refused from
 * anywhere else, even over 443. For the automation key's hand-off to reuse.
 */
export function tailnetAllowedIps(): Record<string, true> {
    return Object.fromEntries(TAILNET_RANGES.map((r) => [r, true as const]));
}
