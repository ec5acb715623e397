/**
 * The default directory binding is effective in the running server, not only stored: a directory
 * that failed to build (IdP unreachable at boot) leaves x:Authentication.directoryId in place while
 * Stalwart authenticates internally. GET /api/discover/<address> (anonymous) returns the IdP's
 * discovery document only when the running default directory is a built OIDC directory, otherwise
 * Stalwart's own metadata; that is the probe (docs/runbooks/oidc.md).
 */
import type { Check, DoctorContext, Outcome } from "./types";
import { CheckError } from "./stalwartApi";

const trim = (s: string) => s.replace(/\/+$/, "");

const UNBOUND_FIX =
    "the OIDC directory did not build in the running server: look for registry.build-error (source Directory) in `docker logs` of the Stalwart container after the last server.startup, " +
    "make the IdP's discovery URL reachable from inside the container with a publicly valid certificate, then run ReloadSettings (docs/runbooks/oidc.md)";

async function discoveredIssuer(ctx: DoctorContext, address: string, signal: AbortSignal): Promise<string> {
    const r = await ctx.stalwart.get(`/api/discover/${encodeURIComponent(address)}`, { signal });
    if (!r.ok) {
        await r.body?.cancel();
        throw new CheckError(
            `GET /api/discover/${address} answered HTTP ${r.status}`,
            "make sure Stalwart's HTTP listener serves /api/discover (anonymous, rate-limited to 100/min per IP)",
        );
    }
    const doc = (await r.json().catch(() => undefined)) as { issuer?: unknown } | undefined;
    return typeof doc?.issuer === "string" ? doc.issuer : "";
}

async function expectIssuer(
    ctx: DoctorContext,
    issuerUrl: string,
    from: string,
    signal: AbortSignal,
): Promise<Outcome> {
    const address = `postmaster@${ctx.target.settings.domain}`;
    const issuer = await discoveredIssuer(ctx, address, signal);
    if (trim(issuer) === trim(issuerUrl))
        return { status: "ok", detail: `/api/discover/${address} returns the IdP's issuer ${issuer} (${from})` };
    const seen = issuer === "" ? "Stalwart's own metadata (empty issuer)" : `the issuer ${issuer}`;
    return {
        status: "fail",
        detail: `/api/discover/${address} returns ${seen}, not ${issuerUrl} (${from}): the OIDC binding is not effective`,
        fix: UNBOUND_FIX,
    };
}

const directoryCheck: Check = {
    id: "stalwart.directory",
    fix: "make sure the management API answers x:Authentication/get and /api/discover",
    async run(ctx, signal) {
        const oidc = ctx.target.oidc;
        if (oidc) return expectIssuer(ctx, oidc.issuerUrl, "tailwart:oidc.issuerUrl", signal);
        const auth = await ctx.stalwart.singleton("x:Authentication");
        const id = typeof auth.directoryId === "string" ? auth.directoryId : undefined;
        if (!id)
            return {
                status: "ok",
                detail: "no default directory is set (x:Authentication.directoryId is null): Stalwart's internal directory authenticates",
            };
        const [dir] = await ctx.stalwart.byIds("x:Directory", [id]);
        if (!dir) {
            return {
                status: "fail",
                detail: `x:Authentication.directoryId is ${id}, but no x:Directory ${id} exists`,
                fix: "set x:Authentication.directoryId to an existing directory, or to null for the internal one, then run ReloadSettings",
            };
        }
        if (dir["@type"] === "Oidc" && typeof dir.issuerUrl === "string")
            return expectIssuer(ctx, dir.issuerUrl, `x:Directory ${id}`, signal);
        return {
            status: "ok",
            detail: `the default directory is x:Directory ${id} (${String(dir["@type"])}); only an OIDC directory's binding can be probed from outside`,
        };
    },
};

export const directoryChecks = (): Check[] => [directoryCheck];
