/**
 * Settings as code for a Stalwart v0.16 that already runs: a domain, an account in it and a
 * submission listener, each a typed x:* resource, and the convergence that makes them effective
 * (reloads once, restarts Stalwart when the listener changed, verifies every object reads back).
 *
 * The provider reaches Stalwart's management API through the stack config:
 *   pulumi config set stalwart:url https://mail.example.org
 *   pulumi config set --secret stalwart:token API_…
 *   pulumi config set --secret alicePassword …
 */
import * as pulumi from "@pulumi/pulumi";
import { Account, Domain, NetworkListener, StalwartConvergence } from "tailwart/stalwart";

const config = new pulumi.Config();

const domain = new Domain("example-org", { name: "example.org", dkimManagement: { "@type": "Automatic" } });

const alice = new Account("alice", {
    "@type": "User",
    name: "alice",
    domainId: domain.objectId,
    // a secret in, a secret in state: the password is never written in clear
    credentials: config.requireSecret("alicePassword").apply((secret) => [{ "@type": "Password" as const, secret }]),
});

const submission = new NetworkListener("submission", { name: "submission", bind: ["[::]:587"], protocol: "smtp" });

const convergence = new StalwartConvergence("settings", {
    objects: [domain.tracked, alice.tracked, submission.tracked],
    // a new listener needs a restart; without a command it is reported in pendingRestart instead
    restartCommand: ["docker", "restart", "stalwart"],
});

export const domainId = domain.objectId;
export const aliceId = alice.objectId;
export const reloads = convergence.reloads;
export const pendingRestart = convergence.pendingRestart;
