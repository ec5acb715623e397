import { beforeAll, describe, expect, it } from "vitest";
import { installMocks, type Registry, settle, resolved } from "./harness";

type Mod = typeof import("../../components/backends/redis");
let registry: Registry;
let mod: Mod;

beforeAll(async () => {
    registry = await installMocks({ stack: "dev" });
    mod = await import("../../components/backends/redis");
});

describe("RedisDatabase", () => {
    it("hands out the URL's parts and creates nothing", async () => {
        const r = new mod.RedisDatabase("redis", { url: "redis://slo-time-prod.tail7b1641.ts.net:6379/3" });
        expect(await resolved(r.url)).toBe("redis://slo-time-prod.tail7b1641.ts.net:6379/3");
        expect(await resolved(r.host)).toBe("slo-time-prod.tail7b1641.ts.net");
        expect(await resolved(r.port)).toBe(6379);
        expect(await resolved(r.db)).toBe(3);
        await settle(registry);
        expect(registry.all.map((x) => x.type)).toEqual(["tailwart:backends:RedisDatabase"]);
    });

    it.each([
        ["redis://slo-time-prod:6379/3", /not a full DNS name/],
        ["redis://slo-time-prod.tail7b1641.ts.net/3", /no explicit port/],
        ["redis://slo-time-prod.tail7b1641.ts.net:6379", /no logical DB index/],
        ["redis://slo-time-prod.tail7b1641.ts.net:6379/16", /selects DB 16/],
    ])("refuses %s, naming the problem", (url, problem) => {
        expect(() => new mod.RedisDatabase(`bad-${url.length}`, { url })).toThrow(problem);
    });
});
