import { describe, expect, it } from "vitest";
import { parseSettings } from "../../components/config";
import { buildPlan } from "../../components/plan";
import { aclFragment } from "../../components/plan/acl";
import { MANAGEMENT_PATHS, managementRestriction, tailnetAllowedIps } from "../../components/plan/management";
import { stalwartSettingsPlan } from "../../components/plan/stalwartSettings";
import { MANAGEMENT_LISTENER, MANAGEMENT_PORT, TAILNET_RANGES } from "../../components/topology";
import { loadStackConfig, validRaw } from "../support/stackConfig";

/** Issue 10 in the settings plan: PROXY trust is the edge alone, and the admin paths answer on the tailnet only. */

const settingsFor = (change: (r: Record<string, any>) => void = () => {}) => {
    const raw = validRaw();
    change(raw);
    return parseSettings(raw, "dev");
};
const listeners = (s: ReturnType<typeof settingsFor>) =>
    stalwartSettingsPlan(s).filter((o) => o.objectType === "x:NetworkListener");

describe("PROXY trust", () => {
    it("is exactly the edge node's addresses, as /32 and /128, on every mail listener", () => {
        const all = listeners(
            settingsFor((r) => (r.edge.tailnetAddresses = ["100.101.102.103", "fd7a:115c:a1e0:0:0:0:0:1234"])),
        );
        expect(all).toHaveLength(6);
        for (const l of all)
            expect(l.properties.overrideProxyTrustedNetworks, l.key).toEqual({
                "100.101.102.103/32": true,
                "fd7a:115c:a1e0::1234/128": true,
            });
    });

    it("stays the tailnet ranges without edge.tailnetAddresses, with a warning that names the key", () => {
        const s = parseSettings(loadStackConfig("prod"), "prod");
        for (const l of listeners(s))
            expect(Object.keys(l.properties.overrideProxyTrustedNetworks as object)).toEqual([...TAILNET_RANGES]);
        expect(buildPlan(s).warnings).toEqual([
            {
                path: "edge.tailnetAddresses",
                message: expect.stringMatching(/^edge\.tailnetAddresses is not set.*whole tailnet.*tailscale ip/),
            },
        ]);
    });

    it("warns when only one address family is given", () => {
        expect(settingsFor((r) => (r.edge.tailnetAddresses = ["100.101.102.103"])).warnings).toEqual([
            { path: "edge.tailnetAddresses", message: expect.stringMatching(/no IPv6 address.*tailscale ip -6/) },
        ]);
    });
});

/**
 * A minimal evaluator of the allowedEndpoints conditions this project writes: `==`/`!=` on a
 * variable and a quoted string, starts_with(variable, 'prefix'), &&, || and parentheses.
 */
function evaluate(expression: string, vars: Record<string, string>): boolean {
    const tokens = expression.match(/starts_with|'[^']*'|&&|\|\||==|!=|[(),]|[a-z_]+/g) ?? [];
    let i = 0;
    const next = () => tokens[i++]!;
    const value = (t: string) => (t.startsWith("'") ? t.slice(1, -1) : (vars[t] ?? ""));
    const primary = (): boolean => {
        const t = next();
        if (t === "(") {
            const v = or();
            next();
            return v;
        }
        if (t === "starts_with") {
            next();
            const subject = value(next());
            next();
            const prefix = value(next());
            next();
            return subject.startsWith(prefix);
        }
        const op = next();
        const right = value(next());
        return op === "==" ? value(t) === right : value(t) !== right;
    };
    const and = (): boolean => {
        let v = primary();
        while (tokens[i] === "&&") {
            next();
            v = primary() && v;
        }
        return v;
    };
    const or = (): boolean => {
        let v = and();
        while (tokens[i] === "||") {
            next();
            v = and() || v;
        }
        return v;
    };
    return or();
}

describe("the management surface answers on the tailnet only (x:Http.allowedEndpoints)", () => {
    const http = stalwartSettingsPlan(settingsFor()).find((o) => o.objectType === "x:Http")!;
    const rule = http.properties.allowedEndpoints as {
        match: Record<string, { if: string; then: string }>;
        else: string;
    };
    const status = (listener: string, path: string) =>
        evaluate(rule.match["0"]!.if, { listener, path }) ? rule.match["0"]!.then : rule.else;

    it("is in every plan that manages settings, as one x:Http spec", () => {
        expect(stalwartSettingsPlan(settingsFor()).filter((o) => o.objectType === "x:Http")).toHaveLength(1);
        expect(Object.keys(rule.match)).toEqual(["0"]);
        expect(rule.match["0"]!.if).toBe(managementRestriction());
    });

    it("refuses the admin console, live telemetry, metrics and SCIM on the public listeners", () => {
        for (const listener of ["https", "acme-http"]) {
            for (const path of [
                "/admin",
                "/admin/",
                "/admin/settings/network",
                "/api/live/tracing",
                "/api/token/delivery",
                "/metrics/prometheus",
                "/scim/v2/Users",
            ]) {
                expect(status(listener, path), `${listener} ${path}`).toBe("403");
            }
        }
    });

    it("keeps JMAP, the account portal, its login and discovery, OAuth and autoconfig open for users on 443", () => {
        for (const path of [
            "/jmap",
            "/jmap/session",
            "/.well-known/jmap",
            "/account",
            "/account/",
            "/api/auth",
            "/api/account",
            "/api/schema",
            "/api/discover/a@b.c",
            "/auth/token",
            "/.well-known/autoconfig/mail/config-v1.1.xml",
            "/dav/cal/alice",
            "/healthz/live",
            "/",
        ]) {
            expect(status("https", path), path).toBe("200");
        }
    });

    it("answers everything on the management listener (8080, over the tailnet)", () => {
        expect(MANAGEMENT_LISTENER).toBe("http");
        for (const path of [...MANAGEMENT_PATHS, "/jmap", "/account"])
            expect(status(MANAGEMENT_LISTENER, path), path).toBe("200");
    });

    it("is left out with the rest when manageSettings is false, and the plan warns when 443 is forwarded", () => {
        const s = settingsFor((r) => (r.stalwart.manageSettings = false));
        expect(buildPlan(s).stalwart.objects).toEqual([]);
        expect(s.warnings).toEqual([
            {
                path: "stalwart.manageSettings",
                message: expect.stringMatching(/allowedEndpoints is not set.*443.*keep manageSettings: true/),
            },
        ]);
    });

    it("hands the automation key's allowedIps the tailnet ranges, in the x:* set form", () => {
        expect(tailnetAllowedIps()).toEqual({ "100.64.0.0/10": true, "fd7a:115c:a1e0::/48": true });
    });
});

describe("the tailnet policy fragment", () => {
    it("never grants the management port to the edge's tags", () => {
        for (const stack of ["dev", "prod"]) {
            const s = parseSettings(loadStackConfig(stack), stack);
            const acl = aclFragment({
                stalwartTags: s.mailbox.tags,
                edgeTags: s.edge.tags,
                mailPorts: s.edge.ports,
                operators: s.tailscale.operators,
                managementPort: MANAGEMENT_PORT,
                tagOwners: s.tailscale.tagOwners,
            });
            for (const g of acl.grants.filter((g) => g.ip.includes(`tcp:${MANAGEMENT_PORT}`))) {
                expect(
                    g.src.filter((src) => s.edge.tags.includes(src) || src.startsWith("tag:") || src === "*"),
                ).toEqual([]);
            }
        }
    });
});
