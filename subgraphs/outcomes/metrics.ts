/**
 * The outcome metrics, computed from the de-identified snapshot (README "Outcome metrics" has the
 * written definitions: unit, numerator, denominator, index date, window). Each metric turns the
 * linked records into units of analysis, each with the values of the metric's dimensions; the
 * units are summed into the finest cells small-cell protection works on (`FineCell`), and every
 * table the API answers is published from them, suppressed jointly (suppression.ts).
 */
import { addDays, daysBetween } from '../../lib/clock';
import { DeidentifiedCase } from './records';
import { Dimension, FineCell, PublishedTable, allowedGroupings, publishTables } from './suppression';

export const METRICS = [
  'mandateCompliance',
  'attendance',
  'recidivism',
  'revictimization',
  'victimServiceEngagement',
  'daysToEnrollment',
  'violationsPerSupervisionMonths',
  'daysToSanction',
] as const;
export type MetricName = (typeof METRICS)[number];

/**
 * proportion: numerator and denominator are counts of units (protected as they are);
 * ratio: numerator and denominator are sums of the units' values, protected by counts of units;
 * distribution: statistics of the units' values, protected by the count of units.
 */
export type MetricKind = 'proportion' | 'ratio' | 'distribution';

export interface Unit {
  key: Partial<Record<Dimension, string>>;
  /** The protected counts: [numerator, denominator]. */
  protect: [number, number];
  /** ratio: the published numerator and denominator; distribution: the value. */
  num?: number;
  den?: number;
  value?: number;
}

export interface MetricSpec {
  name: MetricName;
  kind: MetricKind;
  dimensions: Dimension[];
  /** Multiplies the rate (violations per 100 supervision-months). */
  rateScale?: number;
  units(cases: DeidentifiedCase[], asOf: string): Unit[];
}

// ---------------------------------------------------------------- dates

/** The same calendar day a year later (29 February → 1 March). */
export function addYear(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.toISOString().slice(0, 10);
}

export function quarterOf(date: string): string {
  return `${date.slice(0, 4)}-Q${Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1}`;
}

const period = (date: string) => ({ year: date.slice(0, 4), quarter: quarterOf(date) });

/** Days in an average month: supervision-months are days / this. */
export const DAYS_PER_MONTH = 365.25 / 12;

/** Median and quartiles, linearly interpolated between order statistics (R type 7, numpy's default). */
export function quantile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

// ---------------------------------------------------------------- linking

const OFFENDER_ROLES = new Set(['RESPONDENT', 'DEFENDANT']);
const PROTECTED_ROLES = new Set(['VICTIM', 'PETITIONER']);
/** Substance-use treatment (42 CFR Part 2) is not released to the broker: those mandates are left out. */
const PART2 = 'SUBSTANCE_USE_TREATMENT';
export const NOT_SUPERVISED = 'NOT_SUPERVISED';
export const UNKNOWN = 'UNKNOWN';

/** Risk level of `person`'s latest supervision in the case, NOT_SUPERVISED without one. */
function riskLevelIn(c: DeidentifiedCase, person: string | null): string {
  const sup = c.supervisions.filter((s) => s.person === person && s.start).sort((a, b) => (a.start! < b.start! ? 1 : -1))[0];
  return sup ? sup.riskLevel ?? UNKNOWN : NOT_SUPERVISED;
}

const caseDims = (c: DeidentifiedCase) => ({ court: c.court ?? UNKNOWN, caseType: c.caseType ?? UNKNOWN });

const inWindow = (date: string | null | undefined, after: string, through: string) => Boolean(date && date > after && date <= through);

// ---------------------------------------------------------------- the metrics

const mandateCompliance: MetricSpec = {
  name: 'mandateCompliance',
  kind: 'proportion',
  dimensions: ['court', 'programType', 'caseType', 'riskLevel', 'year', 'quarter'],
  units(cases, asOf) {
    const out: Unit[] = [];
    for (const c of cases) {
      for (const m of c.mandates) {
        if (!m.due || m.due > asOf || m.status === 'VACATED' || m.programType === PART2) continue;
        const done = m.enrollments.some((e) => e.outcome === 'COMPLETED' && e.discharged !== null && e.discharged <= m.due!);
        out.push({ key: { ...caseDims(c), programType: m.programType ?? UNKNOWN, riskLevel: riskLevelIn(c, m.person), ...period(m.due) }, protect: [done ? 1 : 0, 1] });
      }
    }
    return out;
  },
};

const attendance: MetricSpec = {
  name: 'attendance',
  kind: 'ratio',
  dimensions: ['court', 'programType', 'caseType', 'year', 'quarter'],
  units(cases, asOf) {
    const out: Unit[] = [];
    for (const c of cases) {
      for (const m of c.mandates) {
        if (m.programType === PART2) continue;
        for (const e of m.enrollments) {
          const required = e.requiredSessions ?? 0;
          if (!e.discharged || e.discharged > asOf || required <= 0) continue;
          const attended = Math.min(e.attended ?? 0, required);
          out.push({ key: { ...caseDims(c), programType: m.programType ?? UNKNOWN, ...period(e.discharged) }, protect: [1, 1], num: attended, den: required });
        }
      }
    }
    return out;
  },
};

/** Every case a person is a party of, with the role. */
function casesByPerson(cases: DeidentifiedCase[]): Map<string, { c: DeidentifiedCase; role: string | null }[]> {
  const out = new Map<string, { c: DeidentifiedCase; role: string | null }[]>();
  for (const c of cases) for (const p of c.parties) {
    const list = out.get(p.person) ?? [];
    list.push({ c, role: p.role });
    out.set(p.person, list);
  }
  return out;
}

const recidivism: MetricSpec = {
  name: 'recidivism',
  kind: 'proportion',
  dimensions: ['court', 'caseType', 'completion', 'riskLevel', 'year', 'quarter'],
  units(cases, asOf) {
    const byPerson = casesByPerson(cases);
    const sustained = new Map<string, string[]>();
    for (const c of cases) for (const v of c.violations) {
      if (v.person && v.finding === 'SUSTAINED' && v.occurred) sustained.set(v.person, [...(sustained.get(v.person) ?? []), v.occurred]);
    }
    const out: Unit[] = [];
    for (const [person, list] of byPerson) {
      const asOffender = list.filter((x) => OFFENDER_ROLES.has(x.role ?? ''));
      // The index case: the person's earliest disposed case as respondent or defendant.
      const index = asOffender.filter((x) => x.c.disposed).sort((a, b) => (a.c.disposed! < b.c.disposed! ? -1 : a.c.disposed! > b.c.disposed! ? 1 : a.c.case < b.c.case ? -1 : 1))[0];
      if (!index) continue;
      const disposed = index.c.disposed!;
      const through = addYear(disposed);
      if (through > asOf) continue; // the 12-month window has not closed yet
      const newCase = asOffender.some((x) => x.c !== index.c && inWindow(x.c.filed, disposed, through));
      const found = (sustained.get(person) ?? []).some((d) => inWindow(d, disposed, through));
      const mandates = index.c.mandates.filter((m) => m.person === person && m.status !== 'VACATED');
      const completion = mandates.length === 0 ? 'NO_MANDATE'
        : mandates.some((m) => m.status === 'COMPLETED' || m.enrollments.some((e) => e.outcome === 'COMPLETED')) ? 'COMPLETED' : 'NOT_COMPLETED';
      out.push({ key: { ...caseDims(index.c), completion, riskLevel: riskLevelIn(index.c, person), ...period(disposed) }, protect: [newCase || found ? 1 : 0, 1] });
    }
    return out;
  },
};

const revictimization: MetricSpec = {
  name: 'revictimization',
  kind: 'proportion',
  dimensions: ['court', 'caseType', 'year', 'quarter'],
  units(cases, asOf) {
    const byPerson = casesByPerson(cases);
    const firstOrder = new Map<string, { c: DeidentifiedCase; issued: string }>();
    for (const c of cases) for (const o of c.orders) {
      if (!o.protected || !o.issued) continue;
      const seen = firstOrder.get(o.protected);
      if (!seen || o.issued < seen.issued || (o.issued === seen.issued && c.case < seen.c.case)) firstOrder.set(o.protected, { c, issued: o.issued });
    }
    // Dates of protective-order violations, by each person an order of the case protects.
    const orderViolations = new Map<string, string[]>();
    for (const c of cases) {
      const dates = c.violations.filter((v) => v.type === 'PROTECTIVE_ORDER_VIOLATION' && v.occurred).map((v) => v.occurred!);
      if (dates.length === 0) continue;
      for (const p of new Set(c.orders.map((o) => o.protected).filter((x): x is string => Boolean(x)))) orderViolations.set(p, [...(orderViolations.get(p) ?? []), ...dates]);
    }
    const out: Unit[] = [];
    for (const [person, index] of firstOrder) {
      const through = addYear(index.issued);
      if (through > asOf) continue;
      const newCase = (byPerson.get(person) ?? []).some((x) => x.c !== index.c && PROTECTED_ROLES.has(x.role ?? '') && inWindow(x.c.filed, index.issued, through));
      // A protective-order violation in any case where an order protects this person.
      const orderViolation = (orderViolations.get(person) ?? []).some((d) => inWindow(d, index.issued, through));
      out.push({ key: { ...caseDims(index.c), ...period(index.issued) }, protect: [newCase || orderViolation ? 1 : 0, 1] });
    }
    return out;
  },
};

/** Each victim's first referral to housing or counseling, and whether their consent lets the broker see that agency's records. */
function firstReferrals(cases: DeidentifiedCase[]): Map<string, { c: DeidentifiedCase; referred: string; consented: boolean }> {
  const first = new Map<string, { c: DeidentifiedCase; referred: string; consented: boolean }>();
  for (const c of cases) for (const r of c.referrals) {
    if (!r.person || !r.referred || (r.toAgency !== 'HOUSING' && r.toAgency !== 'COUNSELING')) continue;
    const seen = first.get(r.person);
    if (!seen || r.referred < seen.referred || (r.referred === seen.referred && c.case < seen.c.case)) first.set(r.person, { c, referred: r.referred, consented: r.consented === true });
  }
  return first;
}

/**
 * Referred victims whose 30 days have passed by `asOf` but who are left out of service engagement
 * because no consent of theirs lets the receiving agency release their records to the broker.
 */
export function referredWithoutConsent(cases: DeidentifiedCase[], asOf: string): number {
  let n = 0;
  for (const { referred, consented } of firstReferrals(cases).values()) if (!consented && addDays(referred, 30) <= asOf) n++;
  return n;
}

const victimServiceEngagement: MetricSpec = {
  name: 'victimServiceEngagement',
  kind: 'proportion',
  dimensions: ['court', 'caseType', 'year', 'quarter'],
  units(cases, asOf) {
    const services = new Map<string, string[]>();
    for (const c of cases) for (const s of c.services) if (s.person && s.date) services.set(s.person, [...(services.get(s.person) ?? []), s.date]);
    const out: Unit[] = [];
    for (const [person, { c, referred, consented }] of firstReferrals(cases)) {
      const through = addDays(referred, 30);
      // Only victims whose consent lets the broker see the receiving agency's records (VAWA).
      if (through > asOf || !consented) continue;
      const engaged = (services.get(person) ?? []).some((d) => d >= referred && d <= through);
      out.push({ key: { ...caseDims(c), ...period(referred) }, protect: [engaged ? 1 : 0, 1] });
    }
    return out;
  },
};

const daysToEnrollment: MetricSpec = {
  name: 'daysToEnrollment',
  kind: 'distribution',
  dimensions: ['court', 'programType', 'caseType', 'year', 'quarter'],
  units(cases, asOf) {
    const out: Unit[] = [];
    for (const c of cases) for (const m of c.mandates) {
      if (!m.ordered || m.ordered > asOf || m.programType === PART2 || m.status === 'VACATED') continue;
      const enrolled = m.enrollments.map((e) => e.enrolled).filter((d): d is string => Boolean(d)).sort()[0];
      if (!enrolled) continue;
      out.push({ key: { ...caseDims(c), programType: m.programType ?? UNKNOWN, ...period(m.ordered) }, protect: [1, 1], value: daysBetween(m.ordered, enrolled) });
    }
    return out;
  },
};

const violationsPerSupervisionMonths: MetricSpec = {
  name: 'violationsPerSupervisionMonths',
  kind: 'ratio',
  rateScale: 100,
  dimensions: ['court', 'caseType', 'riskLevel', 'year', 'quarter'],
  units(cases, asOf) {
    const out: Unit[] = [];
    for (const c of cases) for (const s of c.supervisions) {
      if (!s.start || s.start > asOf) continue;
      const end = s.end && s.end < asOf ? s.end : asOf;
      const violations = s.violationReports.filter((d) => d >= s.start! && d <= end).length;
      out.push({
        key: { ...caseDims(c), riskLevel: s.riskLevel ?? UNKNOWN, ...period(s.start) },
        protect: [violations > 0 ? 1 : 0, 1],
        num: violations,
        den: daysBetween(s.start, end) / DAYS_PER_MONTH,
      });
    }
    return out;
  },
};

const daysToSanction: MetricSpec = {
  name: 'daysToSanction',
  kind: 'distribution',
  dimensions: ['court', 'caseType', 'year', 'quarter'],
  units(cases, asOf) {
    const out: Unit[] = [];
    for (const c of cases) for (const v of c.violations) {
      if (v.finding !== 'SUSTAINED' || !v.occurred || v.occurred > asOf || v.sanctions.length === 0) continue;
      out.push({ key: { ...caseDims(c), ...period(v.occurred) }, protect: [1, 1], value: daysBetween(v.occurred, v.sanctions[0]) });
    }
    return out;
  },
};

export const METRIC_SPECS: Record<MetricName, MetricSpec> = {
  mandateCompliance,
  attendance,
  recidivism,
  revictimization,
  victimServiceEngagement,
  daysToEnrollment,
  violationsPerSupervisionMonths,
  daysToSanction,
};

// ---------------------------------------------------------------- publishing

export interface Cell {
  key: Partial<Record<Dimension, string>>;
  count: number | null;
  numerator: number | null;
  denominator: number | null;
  rate: number | null;
  median: number | null;
  q1: number | null;
  q3: number | null;
  suppressed: 'SMALL_CELL' | 'COMPLEMENTARY' | null;
}

export interface Table {
  by: Dimension[];
  cells: Cell[];
}

const keyText = (key: Partial<Record<Dimension, string>>, dims: Dimension[]) => dims.map((d) => key[d] ?? '').join('\u0001');

const valueOf = (key: Partial<Record<Dimension, string>>, d: Dimension) => (d === 'year' && key.year === undefined && key.quarter ? key.quarter.slice(0, 4) : key[d]);

/** The finest cells of a metric: its units summed by every dimension. */
export function fineCells(spec: MetricSpec, units: Unit[]): FineCell[] {
  const cells = new Map<string, FineCell>();
  for (const u of units) {
    const k = keyText(u.key, spec.dimensions);
    const cell = cells.get(k) ?? { key: Object.fromEntries(spec.dimensions.map((d) => [d, u.key[d]])), numerator: 0, denominator: 0 };
    cell.numerator += u.protect[0];
    cell.denominator += u.protect[1];
    cells.set(k, cell);
  }
  return [...cells.values()];
}

/**
 * Every table the API answers for a metric (every grouping of at most 3 of its dimensions),
 * suppressed jointly, with the published values of each cell the suppression leaves.
 */
export interface PublishOptions {
  complementary?: boolean;
  threshold?: number;
  /** Told when suppression fails for a metric (its cells are then all suppressed). */
  onSuppressionFailure?: (metric: MetricName, error: unknown) => void;
}

export function publishMetric(spec: MetricSpec, units: Unit[], options: PublishOptions = {}): Table[] {
  const groupings = allowedGroupings(spec.dimensions);
  const fine = fineCells(spec, units);
  let published: PublishedTable[];
  try {
    published = publishTables(fine, groupings, { complementary: options.complementary, threshold: options.threshold });
  } catch (error) {
    // Fail closed: when suppression cannot settle a pattern, the metric's tables are published
    // with every cell suppressed (the refresh still serves the other metrics), and it is logged.
    options.onSuppressionFailure?.(spec.name, error);
    published = groupings.map((by) => {
      const keys = new Map<string, Partial<Record<Dimension, string>>>();
      for (const c of fine) keys.set(by.map((d) => valueOf(c.key, d) ?? '').join('\u0001'), Object.fromEntries(by.map((d) => [d, valueOf(c.key, d)])));
      return { by, cells: [...keys.values()].map((key) => ({ key, numerator: null, denominator: null, rate: null, suppressed: 'COMPLEMENTARY' as const })) };
    });
  }
  return published.map((table) => {
    const members = new Map<string, Unit[]>();
    for (const u of units) {
      const k = table.by.map((d) => valueOf(u.key, d) ?? '').join('\u0001');
      const list = members.get(k);
      if (list) list.push(u);
      else members.set(k, [u]);
    }
    const cells = table.cells.map((pc): Cell => {
      const empty: Cell = { key: pc.key, count: null, numerator: null, denominator: null, rate: null, median: null, q1: null, q3: null, suppressed: pc.suppressed };
      if (pc.suppressed) return empty;
      const us = members.get(table.by.map((d) => pc.key[d] ?? '').join('\u0001')) ?? [];
      const count = us.length;
      if (spec.kind === 'proportion') {
        return { ...empty, count, numerator: pc.numerator, denominator: pc.denominator, rate: pc.denominator ? pc.numerator! / pc.denominator : null };
      }
      if (spec.kind === 'ratio') {
        const num = us.reduce((s, u) => s + (u.num ?? 0), 0);
        const den = us.reduce((s, u) => s + (u.den ?? 0), 0);
        return { ...empty, count, numerator: round(num), denominator: round(den), rate: den ? round((num / den) * (spec.rateScale ?? 1)) : null };
      }
      const values = us.map((u) => u.value!).sort((a, b) => a - b);
      return count === 0 ? { ...empty, count } : { ...empty, count, median: quantile(values, 0.5), q1: quantile(values, 0.25), q3: quantile(values, 0.75) };
    });
    return { by: table.by, cells };
  });
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;
