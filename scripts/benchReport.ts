/** `npm run bench`'s table: each figure beside its goal (scripts/bench.ts measures them). */

// Provider outputs and figures read back by name for printing; their shapes are the provider's
// (components/stalwart/providerCore.ts), so `any` here saves a cast at each figure.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type Obj = Record<string, any>;

const mib = (kib: number | undefined) => (kib === undefined ? "n/a" : `${(kib / 1024).toFixed(1)} MiB`);
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
const fixed = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

function table(rows: [string, string, string][]): string {
    const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
    const line = (r: string[]) =>
        r
            .map((c, i) => c.padEnd(w[i]!))
            .join("  ")
            .trimEnd();
    return [line(["figure", "measured", "goal"]), line(w.map((n) => "-".repeat(n))), ...rows.map(line)].join("\n");
}

/** Prints the figures of one bench run as a table. */
export function printResults(results: Obj): void {
    const { requests: r, forty: f, size: s, memory: m } = results;
    console.log(
        `x:* provider benchmark (Node ${results.node}, ${results.cpus} CPUs, simulator + dynamic-provider host over gRPC)\n`,
    );
    console.log(
        table([
            ["HTTP requests per create (x:Domain)", fixed(r.create), "2"],
            ["HTTP requests per update (x:Domain)", fixed(r.update), "1"],
            ["HTTP requests per read (x:Domain)", fixed(r.read), "1"],
            ["HTTP requests per delete (x:Domain)", fixed(r.delete), "1"],
            ["HTTP requests per create (x:Authentication)", fixed(r.singletonCreate), "1"],
            ["HTTP requests per update (x:Authentication)", fixed(r.singletonUpdate), "1"],
            [`first apply, ${f.objects} objects + convergence`, `${f.firstApplyMs.toFixed(0)} ms`, "-"],
            [
                "  of which check+create of the 40 / convergence",
                `${f.createsMs.toFixed(0)} ms / ${f.convergenceMs.toFixed(0)} ms`,
                "-",
            ],
            ["  requests / JMAP writes", `${f.firstApply.requests} / ${f.firstApply.jmapWrites}`, "-"],
            [
                "  reloads / restarted / verified",
                `${f.firstApply.reloads.join(",")} / ${f.firstApply.restarted} / ${f.firstApply.verified}`,
                "-",
            ],
            ["JMAP writes, no-op second apply", String(f.secondApply.jmapWrites), "0"],
            [
                "  resources changed / requests",
                `${f.secondApply.resourcesChanged}${f.secondApply.changed.length ? ` (${f.secondApply.changed.join(", ")})` : ""} / ${f.secondApply.requests}`,
                "0 / 0",
            ],
            ["  wall time", `${f.secondApplyMs.toFixed(0)} ms`, "-"],
            [`__provider size, max of ${s.types} types (${s.maxType})`, kb(s.max), "< 20 kB"],
            ["__provider size, median", kb(s.median), "< 20 kB"],
            ["__provider size, x:Domain", kb(s.domain), "< 20 kB"],
            ["__provider size, StalwartConvergence", kb(s.convergence), "< 20 kB"],
            ["__provider size, Garage bucket grant", kb(s.garageBucketGrant), "< 20 kB"],
            ["peak RSS, bench process", mib(m.benchMaxRssKiB), "-"],
            ["peak RSS, provider host", mib(m.hostMaxRssKiB), "-"],
        ]),
    );
}
