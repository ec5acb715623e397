/**
 * The recovery admin (STALWART_RECOVERY_ADMIN, from tailwart:stalwart.recoveryAdmin) is meant for the
 * first deploy only: Stalwart honours it in every mode, with every permission, outside any
 * directory. Still set is a warning, read from the stack config.
 */
import type { Check } from "./types";

const recoveryAdminCheck: Check = {
    id: "stalwart.recovery-admin",
    fix: "read tailwart:stalwart.recoveryAdmin from the stack file",
    async run(ctx) {
        const secret = ctx.target.settings.stalwart.recoveryAdmin;
        if (!secret)
            return {
                status: "ok",
                detail: "tailwart:stalwart.recoveryAdmin is not set: no STALWART_RECOVERY_ADMIN in the container",
            };
        return {
            status: "warn",
            detail: "tailwart:stalwart.recoveryAdmin is still set: the container runs with STALWART_RECOVERY_ADMIN, an admin with every permission in every mode",
            fix: "once an API key exists (stalwart:token), `pulumi config rm --path tailwart:stalwart.recoveryAdmin` and `pulumi up` (docs/runbooks/first-deploy.md, step 4)",
        };
    },
};

export const recoveryChecks = (): Check[] => [recoveryAdminCheck];
