/**
 * The `backup` key: the shapes it takes, every refusal naming the key and what to write, and the
 * schedule's semantics (cron fields, macros, names, the day-of-month/day-of-week rule, intervals,
 * the previous run the doctor measures against).
 */
import { describe, expect, it } from "vitest";
import { ConfigError, parseSettings, type Settings } from "../../components/config";
import {
    cronMatches,
    type CronSchedule,
    describeSchedule,
    parseSchedule,
    previousRun,
} from "../../components/config/schedule";
import { validRaw } from "../support/stackConfig";

const withBackup = (backup: unknown, edit: (raw: Record<string, any>) => void = () => undefined): Settings => {
    const raw = validRaw();
    raw.backup = backup;
    edit(raw);
    return parseSettings(raw, "dev");
};

/** The issues of a refused config, as "path: message". */
function refusals(backup: unknown, edit?: (raw: Record<string, any>) => void): string[] {
    try {
        withBackup(backup, edit);
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return e.issues.map((i) => `${i.path}: ${i.message}`);
    }
    throw new Error("the config was accepted");
}

const VOLUME = { volume: "stalwart-backups" };

describe("backup key: accepted shapes", () => {
    it("is optional: no key, no job", () => {
        expect(parseSettings(validRaw(), "dev").backup).toBeUndefined();
    });

    it("takes a cron schedule, a retention count and a volume, with the container's default name", () => {
        const b = withBackup({ schedule: "0 3 * * *", retention: 7, target: VOLUME }).backup!;
        expect(b).toMatchObject({
            retention: 7,
            target: { kind: "volume", volume: "stalwart-backups" },
            containerName: "stalwart-backup",
        });
        expect(b.schedule).toMatchObject({
            kind: "cron",
            expression: "0 3 * * *",
            minutes: [0],
            hours: [3],
            text: "0 3 * * *",
        });
        expect(b.image).toBeUndefined();
    });

    it("takes an interval, retention as text (pulumi config set), and a bucket whose key defaults to <garage.keyName>-backup", () => {
        const b = withBackup({ schedule: "6h", retention: "3", target: { bucket: "stalwart-backups" } }).backup!;
        expect(b.schedule).toMatchObject({ kind: "interval", seconds: 21600 });
        expect(b.retention).toBe(3);
        expect(b.target).toEqual({ kind: "bucket", bucket: "stalwart-backups", keyName: "stalwart-backup" });
        expect(
            withBackup({ schedule: "1d", retention: 1, target: { bucket: "b-2", keyName: "backups" } }).backup!.target,
        ).toEqual({ kind: "bucket", bucket: "b-2", keyName: "backups" });
    });

    it("takes a pinned prebuilt image and a container name of its own", () => {
        const b = withBackup({
            schedule: "@daily",
            retention: 2,
            target: VOLUME,
            image: "registry.example.com/stalwart-backup:v0.16.18-pg18.1",
            containerName: "mail-backup",
        }).backup!;
        expect(b).toMatchObject({
            image: "registry.example.com/stalwart-backup:v0.16.18-pg18.1",
            containerName: "mail-backup",
        });
    });
});

describe("backup key: refusals name the key and the fix", () => {
    it("a missing schedule and target, with examples to write", () => {
        expect(refusals({ retention: 7 })).toEqual([
            'backup.schedule: backup.schedule is required; set it, e.g. `pulumi config set --path tailwart:backup.schedule "0 3 * * *"` (see the README\'s config reference)',
            "backup.target: backup.target is required: where the backups go; write { volume: <docker volume> } or { bucket: <Garage bucket> }, e.g. `pulumi config set --path tailwart:backup.target.volume stalwart-backups`",
        ]);
        expect(refusals({ schedule: "0 3 * * *", target: VOLUME })).toEqual([
            "backup.retention: backup.retention is required; set it, e.g. `pulumi config set --path tailwart:backup.retention 7` (see the README's config reference)",
        ]);
    });

    it.each([0, -1, 1.5, "seven"])("retention %j: a whole number of 1 or more", (retention) => {
        expect(refusals({ schedule: "0 3 * * *", retention, target: VOLUME })).toEqual([
            "backup.retention: backup.retention must be a whole number of backups to keep, 1 or more, e.g. 7",
        ]);
    });

    it.each([
        ["0 25 * * *", 'hour 25 is outside 0-23; write e.g. "0 3 * * *"'],
        ["0 3 * *", "has 4 fields; a cron expression has five"],
        ["0 3 * * funday", 'day of week "funday" is not a number or a name (sun, mon, tue, …)'],
        ["0 3 5-1 * *", "day of month range 5-1 runs backwards; write it low-high"],
        ["*/0 * * * *", 'minute step "0" is not a whole number of 1 or more'],
        ["0 0 30 2 *", "never runs: no month among 2 has day 30"],
        ["*/5 * * * *", 'runs 5 minutes apart; backups must be at least 15 minutes apart, e.g. "0 */6 * * *"'],
        ["5m", "is shorter than 15 minutes; a backup needs time to finish, e.g. 1h"],
        ["3 weeks", 'has the unit "weeks"; an interval is minutes (m), hours (h) or days (d), e.g. 6h'],
        ["@reboot", "is not a schedule; the macros are @hourly, @daily"],
    ])("schedule %j", (schedule, message) => {
        const [issue, ...rest] = refusals({ schedule, retention: 7, target: VOLUME });
        expect(rest).toEqual([]);
        expect(issue).toContain(`backup.schedule: backup.schedule "${schedule}`);
        expect(issue).toContain(message);
    });

    it.each([
        [
            { volume: "a", bucket: "b" },
            "backup.target: backup.target names both a volume and a bucket; keep one: write { volume:",
        ],
        [{}, "backup.target: backup.target names neither a volume nor a bucket; write { volume:"],
        [
            "volume:x",
            "backup.target: backup.target expected object, received string; write { volume: <docker volume> } or { bucket: <Garage bucket> }",
        ],
        [
            { volume: "stalwart-data" },
            'backup.target.volume: backup.target.volume "stalwart-data" is the mail\'s own volume (mailbox.dataVolume): a backup there is lost with the mail',
        ],
        [
            { volume: "stalwart-config" },
            'backup.target.volume: backup.target.volume "stalwart-config" is also mailbox.configVolume; give the backups a volume of their own',
        ],
        [
            { volume: "/srv/backups" },
            'backup.target.volume: backup.target.volume "/srv/backups" is not a valid docker volume name',
        ],
        [
            { volume: "vol", keyName: "k" },
            "backup.target.keyName: backup.target.keyName is the access key of a bucket target; remove it",
        ],
        [
            { bucket: "stalwart-mail" },
            'backup.target.bucket: backup.target.bucket "stalwart-mail" is the mail\'s own bucket (garage.bucket)',
        ],
        [
            { bucket: "Backups_1" },
            'backup.target.bucket: backup.target.bucket "Backups_1" is not a bucket name; use 3-63 lower-case letters',
        ],
        [
            { bucket: "backups", keyName: "stalwart" },
            'backup.target.keyName: backup.target.keyName "stalwart" is Stalwart\'s key (garage.keyName); give the backups a key of their own, or leave it out for stalwart-backup',
        ],
        [{ volume: "vol", extra: 1 }, "backup.target.extra: unknown key backup.target.extra; remove it"],
    ])("target %j", (target, message) => {
        const found = refusals({ schedule: "0 3 * * *", retention: 7, target });
        expect(found).toHaveLength(1);
        expect(found[0]).toContain(message);
    });

    it("a volume the edge uses when it shares the mailbox's docker host", () => {
        const found = refusals(
            { schedule: "0 3 * * *", retention: 7, target: { volume: "caddy-l4-data" } },
            (r) => (r.edge.dockerHost = r.mailbox.dockerHost),
        );
        expect(found).toEqual([
            'backup.target.volume: backup.target.volume "caddy-l4-data" is also edge.dataVolume; give the backups a volume of their own, e.g. stalwart-backups',
        ]);
        expect(() =>
            withBackup({ schedule: "0 3 * * *", retention: 7, target: { volume: "caddy-l4-data" } }),
        ).not.toThrow();
    });

    it("a container name taken on the mailbox host, and a moving image", () => {
        expect(
            refusals({
                schedule: "0 3 * * *",
                retention: 7,
                target: VOLUME,
                containerName: "ts-stalwart",
                image: "example/backup:latest",
            }),
        ).toEqual([
            'backup.containerName: backup.containerName "ts-stalwart" is also the sidecar\'s container name (mailbox.tailscaleHostname); give each container on the host its own name, e.g. stalwart-backup',
            'backup.image: backup.image "example/backup:latest" is not pinned; name a release tag or a digest, e.g. registry.example.com/stalwart-backup:v0.16.18-pg18.1 ("latest" moves: a restart could pull another build silently)',
        ]);
    });

    it("the whole key of the wrong type, and an unknown key in it", () => {
        expect(refusals("daily")).toEqual([
            'backup: backup expected object, received string; write it as { schedule, retention, target }, e.g. { schedule: "0 3 * * *", retention: 7, target: { volume: stalwart-backups } }',
        ]);
        expect(refusals({ schedule: "0 3 * * *", retention: 7, target: VOLUME, keep: 3 })).toEqual([
            "backup.keep: unknown key backup.keep; remove it or check its spelling against the README's config reference",
        ]);
    });

    it("reports every problem at once", () => {
        expect(
            refusals({
                schedule: "0 99 * * *",
                retention: 0,
                target: { volume: "stalwart-data" },
                containerName: "stalwart",
            }).map((i) => i.split(":")[0]),
        ).toEqual(["backup.retention", "backup.schedule", "backup.target.volume", "backup.containerName"]);
    });
});

describe("schedule semantics", () => {
    const cron = (text: string) => parseSchedule(text).schedule as CronSchedule & { text: string };
    const at = (iso: string) => new Date(iso);

    it("reads macros, names, ranges, steps and lists; 7 is Sunday", () => {
        expect(cron("@weekly")).toMatchObject({ expression: "0 0 * * 0", minutes: [0], hours: [0], weekdays: [0] });
        expect(cron("15,45 */8 1-3 jan-mar,dec mon-fri")).toMatchObject({
            minutes: [15, 45],
            hours: [0, 8, 16],
            days: [1, 2, 3],
            months: [1, 2, 3, 12],
            weekdays: [1, 2, 3, 4, 5],
        });
        expect(cron("0 3 * * 7").weekdays).toEqual([0]);
        expect(cron("0 2/6 * * *").hours).toEqual([2, 8, 14, 20]);
    });

    it("a day matches either restricted day field, but both when one starts with *", () => {
        const either = cron("0 0 13 * 5");
        expect(cronMatches(either, at("2026-02-13T00:00:00Z"))).toBe(true); // a Friday the 13th
        expect(cronMatches(either, at("2026-03-13T00:00:00Z"))).toBe(true); // the 13th, a Friday too
        expect(cronMatches(either, at("2026-03-20T00:00:00Z"))).toBe(true); // a Friday
        expect(cronMatches(either, at("2026-04-13T00:00:00Z"))).toBe(true); // the 13th, a Monday
        expect(cronMatches(either, at("2026-04-14T00:00:00Z"))).toBe(false);
        const mondays = cron("0 3 * * 1");
        expect(cronMatches(mondays, at("2026-06-01T03:00:00Z"))).toBe(true);
        expect(cronMatches(mondays, at("2026-06-02T03:00:00Z"))).toBe(false);
    });

    it("finds the previous run at or before a time, across months and leap days", () => {
        expect(previousRun(cron("0 3 * * *"), at("2026-06-10T02:59:59Z"))).toEqual(at("2026-06-09T03:00:00Z"));
        expect(previousRun(cron("0 3 * * *"), at("2026-06-10T03:00:30Z"))).toEqual(at("2026-06-10T03:00:00Z"));
        expect(previousRun(cron("30 1 29 2 *"), at("2026-06-10T00:00:00Z"))).toEqual(at("2024-02-29T01:30:00Z"));
        expect(previousRun(cron("*/20 * * * *"), at("2026-01-01T00:10:00Z"))).toEqual(at("2026-01-01T00:00:00Z"));
    });

    it("describes a schedule for plans and messages", () => {
        expect(describeSchedule(cron("@daily"))).toBe("0 0 * * * (cron, UTC)");
        expect(describeSchedule(parseSchedule("every 90 minutes").schedule!)).toBe("every 90 min");
        expect(describeSchedule(parseSchedule("36h").schedule!)).toBe("every 36 h");
        expect(describeSchedule(parseSchedule("2d").schedule!)).toBe("every 2 d");
    });
});
