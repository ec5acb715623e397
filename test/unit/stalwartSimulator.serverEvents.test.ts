/**
 * What the simulator stores on the server's own account (test/support/stalwart/serverEvents.ts):
 * a certificate an ACME renewal obtained, with the server-set fields a client may not write, and
 * a task-manager entry; and the readiness switch behind /healthz/ready.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { call, create, getOne } from "../support/stalwart/client";
import { type StalwartSimulator, startStalwartSimulator } from "../support/stalwart/index";

let sim: StalwartSimulator;
beforeEach(async () => {
    sim = await startStalwartSimulator();
});
afterEach(() => sim.close());

describe("server-side events", () => {
    it("an issued certificate reads back with its server-set fields, which a client cannot write", async () => {
        const id = sim.issueCertificate({
            subjectAlternativeNames: ["mail.example.org"],
            notValidAfter: "2027-01-31T00:00:00Z",
        });
        const cert = await getOne(sim, "x:Certificate", id);
        expect(cert).toMatchObject({
            subjectAlternativeNames: { "mail.example.org": true },
            notValidAfter: "2027-01-31T00:00:00Z",
            notValidBefore: "2026-11-02T00:00:00Z",
        });
        expect(cert.privateKey.secret).toBe("****");
        const r = await create(sim, "x:Certificate", { notValidAfter: "2030-01-01T00:00:00Z" });
        expect(r.notCreated.n.type).toBe("invalidPatch");
    });

    it("a task is listed by x:Task/query and read with its variant and status", async () => {
        const id = sim.addTask({
            "@type": "AcmeRenewal",
            status: { "@type": "Failed", failureReason: "Order status is INVALID" },
        });
        expect((await call(sim, "x:Task/query", {})).ids).toEqual([id]);
        expect(await getOne(sim, "x:Task", id)).toMatchObject({
            "@type": "AcmeRenewal",
            status: { "@type": "Failed", failureReason: "Order status is INVALID" },
        });
    });

    it("setReady(false) turns /healthz/ready to 503 while /healthz/live stays 200", async () => {
        sim.setReady(false);
        expect((await fetch(`${sim.url}/healthz/ready`)).status).toBe(503);
        expect((await fetch(`${sim.url}/healthz/live`)).status).toBe(200);
        sim.setReady(true);
        expect((await fetch(`${sim.url}/healthz/ready`)).status).toBe(200);
    });
});
