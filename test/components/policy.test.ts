import { beforeAll, describe, expect, it } from "vitest";
import { installMocks, type Registry, settle, resolved } from "./harness";

let registry: Registry;
let TailnetPolicy: typeof import("../../components/deploy/tailnetPolicy").TailnetPolicy;

beforeAll(async () => {
    registry = await installMocks({ stack: "dev" });
    ({ TailnetPolicy } = await import("../../components/deploy/tailnetPolicy"));
});

describe("TailnetPolicy", () => {
    it("outputs the plan's ACL fragment and never writes the tailnet's policy", async () => {
        const { buildPlan } = await import("../../components/plan");
        const { parseSettings } = await import("../../components/config");
        const { validRaw } = await import("../support/stackConfig");
        const hujson = buildPlan(parseSettings(validRaw(), "dev")).tailnet.aclHujson;
        const policy = new TailnetPolicy("policy", { aclHujson: hujson });
        expect(await resolved(policy.aclHujson)).toBe(hujson);
        expect(hujson).toContain("tag:stalwart");
        await settle(registry);
        // a tailscale.Acl would own, and overwrite, the whole policy file
        expect(registry.all.map((r) => r.type)).toEqual(["tailwart:tailnet:TailnetPolicy"]);
    });
});
