/**
 * TCP helpers shared by the reachability and banner checks: resolve, connect, read lines, always
 * closing the socket when the check ends or its time is up.
 */
import { isIP } from "node:net";
import type { Duplex } from "node:stream";
import { CheckError } from "./stalwartApi";
import type { DoctorNetwork } from "./types";

const code = (e: unknown): string => {
    const err = e as { code?: string; message?: string };
    return err?.code ?? err?.message ?? String(e);
};

/** The addresses `host` resolves to (an IP literal is its own); CheckError when it does not resolve. */
export async function resolveHost(net: DoctorNetwork, host: string, fix: string): Promise<string[]> {
    if (isIP(host) !== 0) return [host];
    try {
        const addresses = await net.lookup(host);
        if (addresses.length > 0) return addresses;
    } catch (e) {
        throw new CheckError(`${host} does not resolve (${code(e)})`, fix);
    }
    throw new CheckError(`${host} does not resolve (no address)`, fix);
}

/** An open connection, destroyed when `signal` aborts; CheckError when it cannot be made. */
export async function openTcp(
    net: DoctorNetwork,
    host: string,
    port: number,
    signal: AbortSignal,
    fix: string,
): Promise<Duplex> {
    let socket: Duplex;
    try {
        socket = await net.connect(host, port, signal);
    } catch (e) {
        const c = code(e);
        const why = c === "ECONNREFUSED" ? "connection refused: nothing listens there" : c;
        throw new CheckError(`${host}:${port}: ${why}`, fix);
    }
    signal.addEventListener("abort", () => socket.destroy(), { once: true });
    return socket;
}

/**
 * Reads lines until one satisfies `done`, and returns them all; CheckError when the peer closes
 * first. Bounded by the check's own deadline (the socket is destroyed on abort).
 */
export function readLines(
    socket: Duplex,
    done: (line: string) => boolean,
    what: string,
    fix: string,
): Promise<string[]> {
    return new Promise((resolve, reject) => {
        let buffer = "";
        const lines: string[] = [];
        const finish = (error?: CheckError) => {
            socket.off("data", onData);
            socket.off("close", onClose);
            socket.off("error", onError);
            if (error) reject(error);
            else resolve(lines);
        };
        const onData = (chunk: Buffer) => {
            buffer += chunk.toString("latin1");
            let nl: number;
            while ((nl = buffer.indexOf("\n")) >= 0) {
                const line = buffer.slice(0, nl).replace(/\r$/, "");
                buffer = buffer.slice(nl + 1);
                lines.push(line);
                if (done(line)) return finish();
            }
            // a peer that talks without ever ending a line is not what was expected
            if (buffer.length > 4096) finish(new CheckError(`${what}: more than 4 KiB without a line break`, fix));
        };
        const seen = () =>
            lines.length || buffer ? `; it sent ${JSON.stringify([...lines, buffer].join("\n").slice(0, 200))}` : "";
        const onClose = () =>
            finish(new CheckError(`${what}: the connection was closed${seen() || " before anything was sent"}`, fix));
        const onError = (e: Error) => finish(new CheckError(`${what}: ${code(e)}`, fix));
        socket.on("data", onData);
        socket.on("close", onClose);
        socket.on("error", onError);
    });
}
