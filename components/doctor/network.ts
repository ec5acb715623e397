/**
 * The real network behind DoctorNetwork: the global fetch, node:dns (the system resolver for
 * names, so MagicDNS answers as it does for any client here; DNS queries for MX and TXT), node:net
 * and the `pg` client.
 */
import { promises as dns } from "node:dns";
import { connect, type Socket } from "node:net";
import { Client } from "pg";
import type { DoctorNetwork } from "./types";

/** A connected socket, or the connection error; destroyed if `signal` aborts first. */
export function tcpConnect(host: string, port: number, signal: AbortSignal): Promise<Socket> {
    return new Promise((resolve, reject) => {
        const socket = connect({ host, port });
        const onAbort = () => {
            socket.destroy();
            reject(new Error(`connecting to ${host}:${port} was cut short`));
        };
        signal.addEventListener("abort", onAbort, { once: true });
        socket.once("connect", () => {
            signal.removeEventListener("abort", onAbort);
            socket.removeAllListeners("error");
            resolve(socket);
        });
        socket.once("error", (e) => {
            signal.removeEventListener("abort", onAbort);
            reject(e);
        });
    });
}

export function systemNetwork(): DoctorNetwork {
    const resolver = new dns.Resolver({ timeout: 3_000, tries: 2 });
    return {
        fetch: (url, init) => fetch(url, init),
        lookup: async (host) => (await dns.lookup(host, { all: true })).map((a) => a.address),
        resolveMx: (name) => resolver.resolveMx(name),
        resolveTxt: (name) => resolver.resolveTxt(name),
        connect: tcpConnect,
        pgClient: (config) => new Client(config),
    };
}
