/**
 * backup.schedule: a five-field cron expression (UTC; `@daily` and friends too) or a simple interval
 * (`6h`, `30m`, `1d`). Parsed once, here: the plan hands the backup script the expanded value sets
 * (so the shell never parses cron), and the doctor asks when the job last had to run.
 */

import { shown } from "./mask";

export interface CronSchedule {
    kind: "cron";
    /** the five fields as given, a macro expanded (@daily → "0 0 * * *") */
    expression: string;
    minutes: number[];
    hours: number[];
    days: number[];
    months: number[];
    /** 0-6, Sunday 0 (a 7 is read as 0) */
    weekdays: number[];
    /**
     * Vixie cron's rule: when both day fields are restricted a day matches either of them; when one
     * starts with `*`, it matches both (so `0 3 * * 1` is Mondays only)
     */
    daysStar: boolean;
    weekdaysStar: boolean;
}

export interface IntervalSchedule {
    kind: "interval";
    seconds: number;
}

export type BackupSchedule = (CronSchedule | IntervalSchedule) & {
    /** as the stack config gives it */
    text: string;
};

/** Backups closer together than this would overlap with the previous run's export. */
export const MIN_SCHEDULE_GAP_SECONDS = 15 * 60;
const MAX_INTERVAL_SECONDS = 366 * 86400;

const MACROS: Record<string, string> = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
};

const MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

interface FieldDef {
    name: string;
    min: number;
    max: number;
    names?: string[];
    /** the first name's number (jan = 1, sun = 0) */
    namesFrom?: number;
}

const FIELDS: FieldDef[] = [
    { name: "minute", min: 0, max: 59 },
    { name: "hour", min: 0, max: 23 },
    { name: "day of month", min: 1, max: 31 },
    { name: "month", min: 1, max: 12, names: MONTH_NAMES, namesFrom: 1 },
    { name: "day of week", min: 0, max: 7, names: DAY_NAMES, namesFrom: 0 },
];

const UNITS: Record<string, number> = {
    m: 60,
    min: 60,
    minute: 60,
    minutes: 60,
    h: 3600,
    hour: 3600,
    hours: 3600,
    d: 86400,
    day: 86400,
    days: 86400,
};

export const SCHEDULE_EXAMPLES = '"0 3 * * *" (03:00 UTC daily), "@daily" or an interval such as "6h", "30m", "1d"';

function value(text: string, f: FieldDef): number | string {
    const named = f.names?.indexOf(text.toLowerCase()) ?? -1;
    if (named >= 0) return named + (f.namesFrom ?? 0);
    if (!/^\d+$/.test(text))
        return `${f.name} ${shown(text)} is not a number${f.names ? ` or a name (${f.names.slice(0, 3).join(", ")}, …)` : ""}`;
    const n = Number(text);
    return n < f.min || n > f.max ? `${f.name} ${n} is outside ${f.min}-${f.max}` : n;
}

/** One item of a field: `*`, `a`, `a-b`, with an optional `/step`. */
function item(text: string, f: FieldDef): number[] | string {
    const [range = "", step, extra] = text.split("/");
    if (extra !== undefined || range === "")
        return `${f.name} ${shown(text)} is not a value, a range a-b or a step */n`;
    const by = step === undefined ? 1 : Number(step);
    if (step !== undefined && (!/^\d+$/.test(step) || by < 1))
        return `${f.name} step ${shown(step)} is not a whole number of 1 or more`;
    let from = f.min;
    let to = f.max;
    if (range !== "*") {
        const [a = "", b, more] = range.split("-");
        if (more !== undefined) return `${f.name} ${shown(range)} is not a range a-b`;
        const start = value(a, f);
        if (typeof start === "string") return start;
        const end = b === undefined ? (step === undefined ? start : f.max) : value(b, f);
        if (typeof end === "string") return end;
        if (end < start) return `${f.name} range ${range} runs backwards; write it low-high`;
        [from, to] = [start, end];
    }
    const out: number[] = [];
    for (let n = from; n <= to; n += by) out.push(n);
    return out;
}

function field(text: string, f: FieldDef): number[] | string {
    const values = new Set<number>();
    for (const part of text.split(",")) {
        const got = item(part, f);
        if (typeof got === "string") return got;
        for (const n of got) values.add(f.name === "day of week" && n === 7 ? 0 : n);
    }
    return [...values].sort((a, b) => a - b);
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Why a parsed cron never fires or fires too often, if it does. */
function cronProblem(c: CronSchedule): string | undefined {
    if (c.weekdaysStar && !c.months.some((m) => c.days.some((d) => d <= DAYS_IN_MONTH[m - 1]!))) {
        return `never runs: no month among ${c.months.join(",")} has day ${c.days.join(",")}`;
    }
    const times = c.hours.flatMap((h) => c.minutes.map((m) => h * 60 + m));
    const gap = Math.min(...times.slice(1).map((t, i) => t - times[i]!));
    if (gap * 60 < MIN_SCHEDULE_GAP_SECONDS) {
        return `runs ${gap} minute${gap === 1 ? "" : "s"} apart; backups must be at least ${MIN_SCHEDULE_GAP_SECONDS / 60} minutes apart, e.g. "0 */6 * * *"`;
    }
    return undefined;
}

function parseCron(text: string): CronSchedule | string {
    const expanded = MACROS[text.toLowerCase()] ?? text;
    if (expanded.startsWith("@"))
        return `${shown(text)} is not a schedule; the macros are ${Object.keys(MACROS).join(", ")}`;
    const parts = expanded.split(/\s+/);
    if (parts.length !== 5)
        return `${shown(text)} has ${parts.length} field${parts.length === 1 ? "" : "s"}; a cron expression has five (minute hour day-of-month month day-of-week, in UTC)`;
    const sets: number[][] = [];
    for (const [i, f] of FIELDS.entries()) {
        const got = field(parts[i]!, f);
        if (typeof got === "string") return `${shown(text)}: ${got}`;
        sets.push(got);
    }
    const [minutes, hours, days, months, weekdays] = sets as [number[], number[], number[], number[], number[]];
    const expression = parts.join(" ");
    const c: CronSchedule = {
        kind: "cron",
        expression,
        minutes,
        hours,
        days,
        months,
        weekdays,
        daysStar: parts[2]!.startsWith("*"),
        weekdaysStar: parts[4]!.startsWith("*"),
    };
    const problem = cronProblem(c);
    return problem ? `${shown(text)} ${problem}` : c;
}

function parseInterval(text: string): IntervalSchedule | string | undefined {
    const m = /^(?:every\s+)?(\d+)\s*([a-z]+)$/i.exec(text);
    if (!m) return undefined;
    const unit = UNITS[m[2]!.toLowerCase()];
    if (unit === undefined)
        return `${shown(text)} has the unit ${shown(m[2])}; an interval is minutes (m), hours (h) or days (d), e.g. 6h`;
    const seconds = Number(m[1]) * unit;
    if (seconds < MIN_SCHEDULE_GAP_SECONDS)
        return `${shown(text)} is shorter than ${MIN_SCHEDULE_GAP_SECONDS / 60} minutes; a backup needs time to finish, e.g. 1h`;
    if (seconds > MAX_INTERVAL_SECONDS) return `${shown(text)} is longer than a year; use e.g. 7d or a cron expression`;
    return { kind: "interval", seconds };
}

/** A schedule, or a sentence (to follow the key's name) saying what is wrong and what to write. */
export function parseSchedule(raw: string): { schedule?: BackupSchedule; problem?: string } {
    const text = raw.trim().replace(/\s+/g, " ");
    const interval = parseInterval(text);
    const parsed = interval ?? parseCron(text);
    // a problem that carries its own example needs no second one
    if (typeof parsed === "string")
        return { problem: parsed.includes("e.g.") ? parsed : `${parsed}; write e.g. ${SCHEDULE_EXAMPLES}` };
    return { schedule: { ...parsed, text: raw.trim() } };
}

/** Does the cron fire in the minute of `at` (UTC)? */
export function cronMatches(c: CronSchedule, at: Date): boolean {
    if (
        !c.minutes.includes(at.getUTCMinutes()) ||
        !c.hours.includes(at.getUTCHours()) ||
        !c.months.includes(at.getUTCMonth() + 1)
    )
        return false;
    const day = c.days.includes(at.getUTCDate());
    const weekday = c.weekdays.includes(at.getUTCDay());
    return c.daysStar || c.weekdaysStar ? day && weekday : day || weekday;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/** The latest minute at or before `at` the cron fires in (undefined if none within ten years). */
export function previousRun(c: CronSchedule, at: Date): Date | undefined {
    const limit = Math.floor(at.getTime() / MINUTE) * MINUTE;
    const firstDay = Math.floor(limit / DAY) * DAY;
    for (let day = firstDay; day > firstDay - 3653 * DAY; day -= DAY) {
        const midnight = new Date(day);
        if (!cronMatches({ ...c, minutes: [0], hours: [0] }, midnight)) continue;
        for (let h = c.hours.length - 1; h >= 0; h--) {
            for (let m = c.minutes.length - 1; m >= 0; m--) {
                const t = day + c.hours[h]! * 3_600_000 + c.minutes[m]! * MINUTE;
                if (t <= limit) return new Date(t);
            }
        }
    }
    return undefined;
}

/** "0 3 * * * (UTC)" or "every 6 h", for plans, labels and messages. */
export function describeSchedule(s: BackupSchedule): string {
    if (s.kind === "cron") return `${s.expression} (cron, UTC)`;
    const [n, unit] =
        s.seconds % 86400 === 0
            ? [s.seconds / 86400, "d"]
            : s.seconds % 3600 === 0
              ? [s.seconds / 3600, "h"]
              : [s.seconds / 60, "min"];
    return `every ${n} ${unit}`;
}
