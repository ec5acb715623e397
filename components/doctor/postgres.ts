/**
 * One Stalwart per data store: every connection of the Stalwart role in pg_stat_activity comes from
 * one client address. Two addresses mean a second instance (a stray `docker run`) or the ghost of a
 * replaced container still connected; both corrupt rate-limit state and make ACME orders go
 * INVALID ("Postgres healthy ≠ Stalwart healthy"). Read as the Postgres admin, who can see other
 * roles' sessions (a superuser, or a member of pg_read_all_stats).
 */
import {
    FIND_STRAY_STALWART,
    grantStatsFix,
    pgSsl,
    ROLE_SESSIONS_QUERY,
    type RoleSessions,
    sessionList,
    sessionTotal,
} from "../backends/postgresSessions";
import { CheckError } from "./stalwartApi";
import type { Check, DoctorContext, PgClientLike } from "./types";

/** A session as the Postgres admin on its `postgres` database, ended when the check's time is up; a failed login is a CheckError naming the keys. */
export async function adminSession(ctx: DoctorContext, signal: AbortSignal): Promise<PgClientLike> {
    const pg = ctx.target.settings.postgres;
    const admin = ctx.target.postgresAdmin;
    const client = ctx.net.pgClient({
        host: pg.host,
        port: pg.port,
        user: admin.user,
        password: admin.password,
        database: "postgres",
        ssl: pgSsl(pg.sslmode),
        connectionTimeoutMillis: 5_000,
        query_timeout: 5_000,
    });
    signal.addEventListener("abort", () => void client.end().catch(() => undefined), { once: true });
    try {
        await client.connect();
    } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        const pw =
            admin.password === undefined
                ? `; ${admin.source}: export PGPASSWORD with the admin's password`
                : ` (${admin.source})`;
        throw new CheckError(
            `cannot log in to Postgres ${pg.host}:${pg.port} as ${admin.user}: ${why}`,
            `check tailwart:postgres.adminUser and its password${pw}`,
        );
    }
    return client;
}

const oneInstanceCheck: Check = {
    id: "postgres.one-instance",
    fix: "check that Postgres answers and the admin can log in",
    async run(ctx, signal) {
        const pg = ctx.target.settings.postgres;
        const admin = ctx.target.postgresAdmin;
        const client = await adminSession(ctx, signal);
        try {
            const { rows } = await client.query<RoleSessions>(ROLE_SESSIONS_QUERY, [pg.role]);
            if (rows.some((r) => r.hidden)) {
                return {
                    status: "fail",
                    detail: `${admin.user} cannot see the sessions of ${pg.role} in pg_stat_activity`,
                    fix: grantStatsFix(admin.user),
                };
            }
            const total = sessionTotal(rows);
            if (rows.length === 0) {
                return {
                    status: "warn",
                    detail: `no connection as ${pg.role}: Stalwart is not connected to ${pg.host}`,
                    fix: "see stalwart.health; Stalwart keeps a pool of connections while it runs",
                };
            }
            const where = sessionList(rows);
            if (rows.length === 1)
                return {
                    status: "ok",
                    detail: `${total} connection${total === 1 ? "" : "s"} as ${pg.role}, all from ${where.replace(/ \(\d+\)$/, "")}`,
                };
            return {
                status: "fail",
                detail: `connections as ${pg.role} come from ${rows.length} addresses: ${where}: more than one Stalwart uses this data store`,
                fix: `${FIND_STRAY_STALWART}; then look at tls.acme-orders`,
            };
        } finally {
            await client.end().catch(() => undefined);
        }
    },
};

export const postgresChecks = (): Check[] => [oneInstanceCheck];
