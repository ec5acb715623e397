/**
 * The edge forwards with PROXY v2: a TCP connection to the public hostname's port 25 goes through
 * Caddy-L4 on the edge, which prepends a PROXY v2 header and dials Stalwart over the tailnet;
 * Stalwart's smtp listener accepts the header only from the tailnet ranges. Stalwart's SMTP banner
 * (a `220 ` line) proves the whole path; silence or a closed connection means a link is broken.
 */
import { openTcp, readLines, resolveHost } from "./tcp";
import type { Check } from "./types";

const SMTP_PORT = 25;

const bannerCheck: Check = {
    id: "edge.smtp-banner",
    fix: "run the doctor from a machine that may connect out to port 25 (many ISPs block it), then check the path below",
    async run(ctx, signal) {
        const { hostname, mailboxFqdn, edge } = ctx.target.settings;
        const path =
            `check the edge: its caddy-l4 container (\`docker -H ${edge.dockerHost} logs ${edge.containerName}\`) must forward :${SMTP_PORT} to ${mailboxFqdn}:${SMTP_PORT} with PROXY ${edge.proxyProtocol}, ` +
            `the tailnet policy must let the edge's tags reach the mailbox on ${SMTP_PORT}, and Stalwart's smtp listener must trust the tailnet ranges (stalwart.listeners)`;
        const addresses = await resolveHost(
            ctx.net,
            hostname,
            `publish an A/AAAA record for ${hostname} pointing at the edge host's public address`,
        );
        const socket = await openTcp(
            ctx.net,
            hostname,
            SMTP_PORT,
            signal,
            `${hostname}:${SMTP_PORT} must reach the edge: open port ${SMTP_PORT} in the edge host's firewall; ${path}`,
        );
        const lines = await readLines(socket, (l) => !/^\d{3}-/.test(l), `${hostname}:${SMTP_PORT}`, path);
        socket.end("QUIT\r\n");
        const last = lines[lines.length - 1] ?? "";
        const banner = lines.join(" / ");
        if (/^220 /.test(last))
            return {
                status: "ok",
                detail: `${hostname}:${SMTP_PORT} (${addresses.join(", ")}) answers with Stalwart's banner: ${banner}`,
            };
        return {
            status: "fail",
            detail: `${hostname}:${SMTP_PORT} answered ${JSON.stringify(banner)}, not a 220 greeting`,
            fix: path,
        };
    },
};

export const edgeChecks = (): Check[] => [bannerCheck];
