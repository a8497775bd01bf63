/**
 * NCRONTAB schedules as Azure Functions timer triggers write them: six fields,
 * `{second} {minute} {hour} {day} {month} {day-of-week}`, evaluated in UTC (the Functions default without
 * WEBSITE_TIME_ZONE). Each field takes `*`, a value, a range `a-b`, a step `*\/n` or `a-b/n`, and lists of
 * those; months and days of the week also take English names (`Jan`, `Mon`). Day of month and day of week
 * must both match, as in NCrontab (not the classic cron "either").
 *
 * The local host uses it to run the same timer functions on the same schedules as Azure.
 */

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { name: "second", min: 0, max: 59 },
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day", min: 1, max: 31 },
  {
    name: "month",
    min: 1,
    max: 12,
    names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
  },
  { name: "day-of-week", min: 0, max: 6, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
];

/** A parsed schedule: the allowed values of each field. */
export interface Schedule {
  readonly expression: string;
  readonly seconds: ReadonlySet<number>;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly days: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly daysOfWeek: ReadonlySet<number>;
}

export class ScheduleError extends Error {
  constructor(expression: string, detail: string) {
    super(`bad NCRONTAB schedule "${expression}": ${detail}`);
    this.name = "ScheduleError";
  }
}

function value(text: string, spec: FieldSpec, fail: (d: string) => never): number {
  const named = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + spec.min;
  if (!/^\d+$/.test(text)) fail(`${spec.name} "${text}" is not a number`);
  const n = Number(text);
  // Day of week 7 is Sunday too, as in cron.
  if (spec.name === "day-of-week" && n === 7) return 0;
  if (n < spec.min || n > spec.max) fail(`${spec.name} ${n} is outside ${spec.min}-${spec.max}`);
  return n;
}

function parseField(text: string, spec: FieldSpec, fail: (d: string) => never): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(",")) {
    const [range = "", stepText, extra] = part.split("/");
    if (extra !== undefined || range === "") fail(`${spec.name} "${part}" is malformed`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1 || !/^\d+$/.test(stepText ?? "1"))
      fail(`${spec.name} step "${stepText}" must be a positive whole number`);
    let from: number;
    let to: number;
    if (range === "*") [from, to] = [spec.min, spec.max];
    else if (range.includes("-")) {
      const [a = "", b = ""] = range.split("-");
      [from, to] = [value(a, spec, fail), value(b, spec, fail)];
      if (from > to) fail(`${spec.name} range "${range}" runs backwards`);
    } else {
      from = value(range, spec, fail);
      to = stepText === undefined ? from : spec.max;
    }
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

/** Parses a six-field NCRONTAB expression. @throws ScheduleError naming the bad field */
export function parseSchedule(expression: string): Schedule {
  const fail = (detail: string): never => {
    throw new ScheduleError(expression, detail);
  };
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 6)
    fail(`expected 6 fields (second minute hour day month day-of-week), got ${parts.length}`);
  const sets = FIELDS.map((spec, i) => parseField(parts[i] ?? "", spec, fail));
  const [seconds, minutes, hours, days, months, daysOfWeek] = sets as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ];
  return { expression, seconds, minutes, hours, days, months, daysOfWeek };
}

const first = (set: ReadonlySet<number>, from: number, max: number): number | undefined => {
  for (let v = from; v <= max; v++) if (set.has(v)) return v;
  return undefined;
};

/** How far ahead to look before deciding a schedule never fires (e.g. 30 February). */
const HORIZON_YEARS = 8;

/**
 * The first time strictly after `after` (to the second) that the schedule matches, in UTC; undefined when it
 * never matches within eight years.
 */
export function nextOccurrence(schedule: Schedule, after: Date): Date | undefined {
  const t = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
  const limit = after.getUTCFullYear() + HORIZON_YEARS;
  while (t.getUTCFullYear() <= limit) {
    if (!schedule.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0);
      continue;
    }
    if (!schedule.days.has(t.getUTCDate()) || !schedule.daysOfWeek.has(t.getUTCDay())) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0);
      continue;
    }
    const hour = first(schedule.hours, t.getUTCHours(), 23);
    if (hour === undefined) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0);
      continue;
    }
    if (hour !== t.getUTCHours()) t.setUTCHours(hour, 0, 0);
    const minute = first(schedule.minutes, t.getUTCMinutes(), 59);
    if (minute === undefined) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0);
      continue;
    }
    if (minute !== t.getUTCMinutes()) t.setUTCMinutes(minute, 0);
    const second = first(schedule.seconds, t.getUTCSeconds(), 59);
    if (second === undefined) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0);
      continue;
    }
    t.setUTCSeconds(second);
    return t;
  }
  return undefined;
}
