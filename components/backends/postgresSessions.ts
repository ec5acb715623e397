/**
 * Who is connected to Postgres as a role, by client address: the one reading of pg_stat_activity that
 * both the doctor's one-instance check and the one-instance gate before Stalwart starts make. Pure (no
 * imports, no I/O), so the gate's provider bundle carries it: the query, its row, the TLS option for
 * an sslmode, and how the rows and the fixes read. The callers own the connection.
 */

/** The sessions of the role from one client address. */
export interface RoleSessions {
    /** the client's IP; "local socket" for a Unix-socket session; "hidden" when the reader may not see it */
    addr: string;
    n: number;
    /** the reader lacks the right to see these sessions' details (pg_read_all_stats) */
    hidden: boolean;
}

/**
 * $1 = the role. Without the right to see them, other roles' sessions show their usename but a null
 * backend_type and client_addr, so they are counted (as "hidden") rather than dropped. The reader's
 * own session never counts, so an admin that is the role itself sees only the others.
 */
export const ROLE_SESSIONS_QUERY =
    "select coalesce(host(client_addr), case when query = '<insufficient privilege>' then 'hidden' else 'local socket' end) as addr, " +
    "count(*)::int as n, bool_or(query = '<insufficient privilege>') as hidden " +
    "from pg_stat_activity where usename = $1 and pid <> pg_backend_pid() " +
    "and coalesce(backend_type, 'client backend') = 'client backend' group by 1 order by 2 desc, 1";

export type PgSslMode = "disable" | "require" | "verify-full";

/** node-postgres' `ssl` option for tailwart:postgres.sslmode. */
export function pgSsl(mode: PgSslMode): false | { rejectUnauthorized: boolean } {
    return mode === "disable" ? false : { rejectUnauthorized: mode === "verify-full" };
}

/** "127.0.0.1 (2), ::1 (1)": every address and its number of sessions. */
export function sessionList(rows: readonly RoleSessions[]): string {
    return rows.map((r) => `${r.addr} (${r.n})`).join(", ");
}

export function sessionTotal(rows: readonly RoleSessions[]): number {
    return rows.reduce((sum, r) => sum + r.n, 0);
}

/** The fix when the admin may not see the role's sessions. */
export function grantStatsFix(adminUser: string): string {
    return `grant it the right to: GRANT pg_read_all_stats TO ${adminUser}; (or use a superuser as tailwart:postgres.adminUser)`;
}

/** How to find and stop whatever holds connections as the role (tailnet clients are Tailscale IPs). */
export const FIND_STRAY_STALWART =
    "find what runs at each address (`tailscale status` names tailnet IPs) and stop every Stalwart that is not the deployment's container " +
    "(a stray `docker run`, or a replaced container or ephemeral sidecar still holding connections)";

/** The admin's SQL that ends sessions which outlived their client (nothing runs at the address any more). */
export function terminateSessionsSql(role: string, addr: string): string {
    const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
    const where = addr === "local socket" ? "client_addr is null" : `client_addr = ${quote(addr)}`;
    return `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ${quote(role)} AND ${where};`;
}
