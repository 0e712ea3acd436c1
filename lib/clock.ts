/**
 * The one policy clock. Agreements, consents and "not in the future" are judged by calendar
 * dates, and a date is a day in the agencies' jurisdiction, not in UTC: an agreement that ends on
 * 31 December is in force until midnight local time (in New York, 05:00 UTC on 1 January).
 * POLICY_TIME_ZONE names that zone (IANA, e.g. America/Chicago); default America/New_York.
 *
 * The clock is injected (startStack / startSubgraph options, contextFor): the services use the
 * real one, tests a fixed or settable one, so nothing depends on the day the tests run.
 */
import { ConfigError } from './config';

export const DEFAULT_POLICY_TIME_ZONE = 'America/New_York';

export interface Clock {
  /** The IANA time zone dates are judged in. */
  readonly timeZone: string;
  now(): Date;
  /** The local date of `now()` in the zone, YYYY-MM-DD. */
  today(): string;
}

type Env = Record<string, string | undefined>;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let found = formatters.get(timeZone);
  if (!found) {
    found = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(timeZone, found);
  }
  return found;
}

/** True when `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}

export function policyTimeZone(env: Env = process.env): string {
  const zone = env.POLICY_TIME_ZONE || DEFAULT_POLICY_TIME_ZONE;
  if (!isTimeZone(zone)) {
    throw new ConfigError(`POLICY_TIME_ZONE must be an IANA time zone such as America/Chicago, got "${zone}"`);
  }
  return zone;
}

function localParts(instant: Date, timeZone: string): Record<string, number> {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return parts;
}

/** The calendar date of `instant` in `timeZone`, YYYY-MM-DD. */
export function localDate(instant: Date, timeZone: string): string {
  const p = localParts(instant, timeZone);
  return `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** The instant at which it is `local` (YYYY-MM-DDTHH:mm[:ss]) in `timeZone`. */
export function instantAt(local: string, timeZone: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (!match) throw new Error(`instantAt takes YYYY-MM-DDTHH:mm, got "${local}"`);
  const [, y, mo, d, h, mi, s] = match.map(Number);
  const wanted = Date.UTC(y, mo - 1, d, h, mi, s || 0);
  // Subtract the zone's offset at the guess; once more in case the guess crossed a DST change.
  let guess = wanted;
  for (let i = 0; i < 2; i++) {
    const p = localParts(new Date(guess), timeZone);
    const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    guess += wanted - shown;
  }
  return new Date(guess);
}

/** The real clock, judging dates in `timeZone` (POLICY_TIME_ZONE by default). */
export function systemClock(timeZone: string = policyTimeZone()): Clock {
  return { timeZone, now: () => new Date(), today: () => localDate(new Date(), timeZone) };
}

export interface SettableClock extends Clock {
  /** Moves the clock to `instant` (a Date, or local time YYYY-MM-DDTHH:mm in the clock's zone). */
  set(instant: Date | string): void;
}

/** A clock that stands still where it is set (tests). */
export function fixedClock(instant: Date | string, timeZone: string = DEFAULT_POLICY_TIME_ZONE): SettableClock {
  const toDate = (i: Date | string) => (i instanceof Date ? i : instantAt(i, timeZone));
  let current = toDate(instant);
  return {
    timeZone,
    now: () => new Date(current.getTime()),
    today: () => localDate(current, timeZone),
    set: (i) => {
      current = toDate(i);
    },
  };
}

/** `date` (YYYY-MM-DD) plus `days`. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (both YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
