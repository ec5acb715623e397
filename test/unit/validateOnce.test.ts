// Validate once (issue 8 item 2): the renderers and specs trust checked Settings, so every value
// they used to re-check is refused where it enters — by parseSettings, naming the key.
import { describe, expect, it } from "vitest";
import { ConfigError, parseSettings } from "../../components/config";
import { validRaw } from "../support/stackConfig";

type Raw = Record<string, any>;
const cases: [string, (r: Raw) => void, string][] = [
    [
        "a sidecar hostname that is no DNS label",
        (r) => (r.mailbox.tailscaleHostname = "ts_stalwart"),
        "mailbox.tailscaleHostname",
    ],
    ["a mailbox tag that is no Tailscale tag", (r) => (r.mailbox.tags = ["stalwart"]), "mailbox.tags"],
    ["an edge tag that is no Tailscale tag", (r) => (r.edge.tags = ["reverse-proxy"]), "edge.tags"],
    ["the same tag on edge and mailbox", (r) => (r.edge.tags = ["tag:stalwart"]), "edge.tags"],
    ["a health address without a port", (r) => (r.mailbox.healthAddress = "9002"), "mailbox.healthAddress"],
    [
        "a health address port out of range",
        (r) => (r.mailbox.healthAddress = "127.0.0.1:99999"),
        "mailbox.healthAddress",
    ],
    [
        "an unpinned Tailscale image",
        (r) => (r.mailbox.tailscaleImage = "tailscale/tailscale:latest"),
        "mailbox.tailscaleImage",
    ],
    ["an untagged Stalwart image", (r) => (r.stalwart.image = "stalwartlabs/stalwart"), "stalwart.image"],
    ["an unpinned edge image", (r) => (r.edge.image = "caddy"), "edge.image"],
    ["a volume name docker refuses", (r) => (r.mailbox.stateVolume = "-state"), "mailbox.stateVolume"],
    ["a data volume name docker refuses", (r) => (r.mailbox.dataVolume = "data volume"), "mailbox.dataVolume"],
    ["a container name docker refuses", (r) => (r.edge.containerName = "edge/1"), "edge.containerName"],
    ["no edge ports", (r) => (r.edge.ports = []), "edge.ports"],
    ["an edge port listed twice", (r) => (r.edge.ports = [25, 25]), "edge.ports"],
    ["an edge port no listener serves", (r) => (r.edge.ports = [25, 2019]), "edge.ports"],
    ["a PROXY protocol Stalwart cannot read", (r) => (r.edge.proxyProtocol = "none"), "edge.proxyProtocol"],
    ["a bare Postgres host", (r) => (r.postgres.host = "the-record"), "postgres.host"],
    ["a Postgres host with a scheme", (r) => (r.postgres.host = "postgres://db.example.test"), "postgres.host"],
    ["a Postgres port out of range", (r) => (r.postgres.port = 0), "postgres.port"],
    ["no Postgres role", (r) => (r.postgres.role = " "), "postgres.role"],
    ["no tag owners", (r) => (r.tailscale = { tagOwners: [] }), "tailscale.tagOwners"],
    [
        "an operator that is no policy principal",
        (r) => (r.tailscale = { operators: ["alice bob"] }),
        "tailscale.operators",
    ],
];

describe("parseSettings refuses what the renderers no longer re-check", () => {
    it.each(cases)("%s", (_what, edit, path) => {
        const raw = validRaw();
        edit(raw);
        let error: unknown;
        try {
            parseSettings(raw, "dev");
        } catch (e) {
            error = e;
        }
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).issues.map((i) => i.path)).toContain(path);
    });
});
