/**
 * Deterministic synthetic demo data (no real people) with the cross-agency links real cases have:
 * the court's case and parties; its protective orders, mandates and referrals; the counseling
 * enrollments that answer the mandates; the shelter stays that answer the referrals; probation's
 * supervision, tests and violation reports; and the court's violations and sanctions on them.
 *
 * Case i is generated from its own random streams, so it is the same whatever the total size.
 * Case 0 always has every agency's records: it is the demo case.
 *
 * The data set gives the outcome metrics something to say. Intended rates, and what a 10,000-case
 * seed gave (checked with SQL, bench/seed-rates.sh; see README "Seed data"):
 *
 * | what                                                         | intended                          | 10,000 cases      |
 * | ------------------------------------------------------------ | --------------------------------- | ----------------- |
 * | cases filed                                                   | 4 years back from the anchor      | 2022-11 … 2026-10 |
 * | courts (share of cases: Riverside, Lakeshore, Northfield, Harbor City) | 40 / 20 / 28 / 12 % | 39.7 / 20.7 / 27.9 / 11.7 |
 * | disposed (closed or dismissed) when the day has come          | criminal 45–300 d, civil 14–120 d | 87 % disposed     |
 * | mandates completed by the due date: batterer intervention     | lowest (26 sessions), ~35 %       | 34.8 %            |
 * |   substance use / mental health / parenting                   | ~50 / ~50 / ~60 %                 | 51.9 / 48.4 / 59.2 |
 * |   by court: Lakeshore (slow, low compliance) … Harbor City     | ~30 % … ~55 %                     | 31.0 … 53.2 %     |
 * | respondents with a new case or sustained violation ≤ 12 months | completers clearly fewer          | 18.0 % vs 29.8 %  |
 * |   of disposition (closed index cases with a mandate)            |  (~18 % vs ~30 %)                 |                   |
 * | protected persons named in a new case or order violation ≤ 12 m | ~13 %                             | 13.5 %            |
 * | referred victims enrolled in counseling ≤ 30 days              | ~60 %, by court 50–70 %           | 60.1 % (50.7–69.5) |
 * | referred victims admitted to shelter or applied ≤ 30 days      | ~65 %, by court 50–75 %           | 65.7 % (54.3–76.3) |
 * | referred victims with a research consent to the outcomes service (VAWA) | ~70 %, never the demo case | 71 % of 159 (200 cases) |
 * | days mandate → enrollment (median: Harbor City, Northfield, Riverside, Lakeshore) | 6 … 25   | 6 / 10 / 14 / 25  |
 * | days violation → sanction (median, same order)                 | 13 … 47                           | 13 / 22 / 27 / 47 |
 *
 * The mechanism: each case's respondent has a propensity to comply (drawn, or inherited in a
 * follow-up case) and, with it and the court, whether they complete their programs; completion
 * sets their attendance, and propensity and completion set positive tests, new offenses, order
 * violations and the chance that a later case names them again (a follow-up case: the respondent
 * — often with the same victim — of a recent earlier case, filed after its disposition).
 */
import { createHash } from 'node:crypto';
import { DataSource, EntityManager, EntitySchema } from 'typeorm';
import { AgencyName } from './config';
import * as courts from '../subgraphs/courts/entities';
import * as housing from '../subgraphs/housing/entities';
import * as counseling from '../subgraphs/counseling/entities';
import * as probation from '../subgraphs/probation/entities';
import { riskLevel } from '../subgraphs/probation/risk';
import { ConsentEntity, ConsentRecord } from './policy/consent';
import { daysBetween } from './clock';
import { mulberry32 } from './random';

/** Dates are laid out backwards from here, so the data set is the same on any day. */
export const SEED_ANCHOR = '2026-10-31';
/**
 * The day the data set is drawn for: SEED_ANCHOR is 24 days before it. Seeding for another day
 * (`today`) moves every date by the same number of days, so consents, agreements' reach and orders
 * stand the same way relative to that day (docket numbers keep their year: they are identifiers).
 */
export const SEED_TODAY = '2026-11-24';
const DEMO_FILED_DATE = '2026-05-04';
/** The docket number of the demo case (case 0), which has every agency's records. */
export const DEMO_DOCKET_NUMBER = 'DV-2026-000001';

// ---------------------------------------------------------------- random, deterministic

class Random {
  private readonly next: () => number;
  private ids = 0;
  constructor(private readonly seed: number, private readonly stream: number) {
    this.next = mulberry32(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35));
  }
  float(): number {
    return this.next();
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  /**
   * A random (version 4) UUID. Every mulberry32 stream is a stretch of one cycle of 2^32 states,
   * so two cases' streams can overlap and draw the same digits: ids of cases after the demo case
   * are therefore a hash of (seed, stream, how many ids the stream has made), unique whatever the
   * overlap. The digits are still drawn, so every other draw stays where it was; the demo case
   * (stream 0) and the shelters keep the drawn ids.
   */
  uuid(): string {
    let hex = Array.from({ length: 32 }, () => Math.floor(this.next() * 16).toString(16));
    if (this.stream > 0) hex = [...createHash('sha1').update(`${this.seed}:${this.stream}:${this.ids++}`).digest('hex').slice(0, 32)];
    hex[12] = '4';
    hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
    const s = hex.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const minDate = (a: string, b: string) => (a < b ? a : b);
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** The index whose cumulative weight first exceeds u * total. */
function weightedIndex(weights: number[], u: number): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let acc = 0;
  for (let i = 0; i < weights.length; i++) if (u * total < (acc += weights[i])) return i;
  return weights.length - 1;
}

// ---------------------------------------------------------------- vocabulary

const GIVEN = ['Avery', 'Jordan', 'Riley', 'Casey', 'Morgan', 'Taylor', 'Quinn', 'Rowan', 'Emerson', 'Harper',
  'Kai', 'Reese', 'Skyler', 'Dakota', 'Finley', 'Hayden', 'Jamie', 'Logan', 'Parker', 'Sawyer', 'Elliot',
  'Marisol', 'Teodoro', 'Ngozi', 'Ines', 'Tomasz', 'Aiko', 'Priya', 'Farid', 'Lucia', 'Oren', 'Mireille'];
const FAMILY = ['Ashdown', 'Bellweather', 'Corrigan', 'Delacroix', 'Eastwood', 'Fairbanks', 'Galloway',
  'Hollister', 'Ingram', 'Jessup', 'Kettering', 'Lindqvist', 'Montague', 'Northcott', 'Okonkwo', 'Pemberton',
  'Quintero', 'Rasmussen', 'Stanhope', 'Thornbury', 'Underhill', 'Vasquez-Reyes', 'Whitlock', 'Yarborough'];
const COURTS = ['Riverside County Superior Court, DV Division', 'Lakeshore Municipal Court',
  'Northfield District Court, Family Division', 'Harbor City Integrated DV Court'];
const OFFICERS = ['PO D. Marsh', 'PO K. Adeyemi', 'PO L. Fontaine', 'PO R. Castellano', 'PO S. Whitaker'];
const PROVIDERS: Record<string, string[]> = {
  BATTERER_INTERVENTION: ['Turning Point BIP', 'New Directions Intervention Program'],
  SUBSTANCE_USE_TREATMENT: ['Clearwater Recovery Services', 'Harbor Outpatient Treatment'],
  VICTIM_COUNSELING: ['Safe Harbor Counseling', 'Haven Advocacy & Counseling'],
  MENTAL_HEALTH_COUNSELING: ['Northfield Behavioral Health'],
  PARENTING: ['Family Strengths Parenting Program'],
};
const CONDITIONS = ['No contact with the protected party', 'Stay 500 feet away from the protected party',
  'Complete batterer intervention program', 'No alcohol or drugs; submit to testing',
  'Surrender all firearms', 'Report to probation officer as directed', 'Maintain employment'];
/**
 * The courts' differences the outcome metrics should show: size (share of cases), program
 * compliance (added to the chance of completing), days from mandate to enrollment, how many
 * referred victims take the service up (added to the chance), days from violation report to
 * sanction. The integrated DV court is small, quick and best complied with.
 */
const COURT_PROFILES = [
  { weight: 0.4, compliance: 0, enrollDays: [4, 24], uptake: 0, sanctionDays: [10, 35] },
  { weight: 0.2, compliance: -0.12, enrollDays: [7, 45], uptake: -0.12, sanctionDays: [20, 75] },
  { weight: 0.28, compliance: 0.04, enrollDays: [3, 18], uptake: 0.05, sanctionDays: [7, 28] },
  { weight: 0.12, compliance: 0.12, enrollDays: [2, 10], uptake: 0.12, sanctionDays: [3, 14] },
];
/** Follow-up cases: the chance a case is one, and that its chosen earlier case's respondent takes it. */
const FOLLOW_UP = { chance: 0.22, ifCompleted: 0.2, ifNotCompleted: 0.65, sameVictim: 0.7 };

const SHELTERS = [
  { name: 'Willow House', address: '100 Confidential Way', city: 'Riverside', capacity: 24 },
  { name: 'Harbor Light Shelter', address: '200 Undisclosed Ave', city: 'Harbor City', capacity: 40 },
  { name: 'Northfield Safe Haven', address: '300 Private Rd', city: 'Northfield', capacity: 18 },
  { name: 'Lakeshore Family Refuge', address: '400 Sheltered Ln', city: 'Lakeshore', capacity: 30 },
];

// ---------------------------------------------------------------- generation

export interface SeedRows {
  courts: {
    people: courts.Person[];
    cases: courts.CourtCase[];
    parties: courts.CaseParty[];
    hearings: courts.Hearing[];
    orders: courts.ProtectiveOrder[];
    mandates: courts.ProgramMandate[];
    referrals: courts.Referral[];
    violations: courts.Violation[];
    sanctions: courts.Sanction[];
  };
  housing: { stays: housing.ShelterStay[]; applications: housing.HousingApplication[]; consents: ConsentRecord[] };
  counseling: {
    enrollments: counseling.ProgramEnrollment[];
    sessions: counseling.CounselingSession[];
    reports: counseling.ProgressReport[];
    notes: counseling.ClinicalNote[];
    consents: ConsentRecord[];
  };
  probation: {
    supervisions: probation.Supervision[];
    checkIns: probation.CheckIn[];
    drugTests: probation.DrugTest[];
    assessments: probation.RiskAssessment[];
    complianceReports: probation.ComplianceReport[];
    violationReports: probation.ViolationReport[];
  };
}

function emptyRows(): SeedRows {
  return {
    courts: { people: [], cases: [], parties: [], hearings: [], orders: [], mandates: [], referrals: [], violations: [], sanctions: [] },
    housing: { stays: [], applications: [], consents: [] },
    counseling: { enrollments: [], sessions: [], reports: [], notes: [], consents: [] },
    probation: { supervisions: [], checkIns: [], drugTests: [], assessments: [], complianceReports: [], violationReports: [] },
  };
}

export function shelterRows(seed: number): housing.Shelter[] {
  const rnd = new Random(seed, -1);
  return SHELTERS.map((s) => ({ id: rnd.uuid(), ...s }));
}

function person(rnd: Random, bornFrom: number, bornTo: number): courts.Person {
  const year = rnd.int(bornFrom, bornTo);
  return {
    id: rnd.uuid(),
    givenName: rnd.pick(GIVEN),
    familyName: rnd.pick(FAMILY),
    dateOfBirth: `${year}-${String(rnd.int(1, 12)).padStart(2, '0')}-${String(rnd.int(1, 28)).padStart(2, '0')}`,
  };
}

/**
 * What later cases may refer to: a case's people, court, dates, its respondent's propensity to
 * comply and whether they complete their mandated programs. From the case's own streams only (the
 * main one up to the court, then streams of its own), so a follow-up case can replay it cheaply.
 */
interface CaseCore {
  rnd: Random;
  demo: boolean;
  id: string;
  filedDate: string;
  criminal: boolean;
  victim: courts.Person;
  accused: courts.Person;
  /** People already written by an earlier case (a follow-up case names them again). */
  reused: Set<string>;
  court: number;
  status: string;
  dispositionDate: string | null;
  /** 0..1: how reliably the respondent does what the court orders. */
  propensity: number;
  /** Whether the respondent completes the programs the court mandates (each program may still fail). */
  completes: boolean;
}

const TRAITS_STREAM = 0x7a175;
const LINK_STREAM = 0x11c4ed;
function caseCore(seed: number, index: number): CaseCore {
  const rnd = new Random(seed, index);
  const traits = new Random(seed ^ TRAITS_STREAM, index);
  const demo = index === 0;
  let filedDate = demo ? DEMO_FILED_DATE : addDays(SEED_ANCHOR, -rnd.int(20, 1460));
  let criminal = demo || rnd.chance(0.7);
  let victim = person(rnd, 1960, 2004);
  let accused = person(rnd, 1955, 2003);
  const id = rnd.uuid();
  const courtDraw = rnd.float();
  const court = demo ? Math.floor(courtDraw * COURTS.length) : weightedIndex(COURT_PROFILES.map((c) => c.weight), courtDraw);
  const reused = new Set<string>();
  let sourcePropensity: number | undefined;
  // A follow-up: the respondent of a recent earlier case, in court again after its disposition
  // (more often when they did not complete their program), often with the same victim.
  const link = new Random(seed ^ LINK_STREAM, index);
  if (!demo && index > 1 && link.chance(FOLLOW_UP.chance)) {
    const source = caseCore(seed, index - link.int(1, Math.min(40, index - 1)));
    const accept = link.chance(source.completes ? FOLLOW_UP.ifCompleted : FOLLOW_UP.ifNotCompleted);
    const filed = source.dispositionDate ? addDays(source.dispositionDate, link.int(20, 540)) : null;
    if (accept && filed && filed <= addDays(SEED_ANCHOR, -20)) {
      filedDate = filed;
      accused = source.accused;
      reused.add(accused.id);
      sourcePropensity = source.propensity;
      criminal = link.chance(0.8);
      if (link.chance(FOLLOW_UP.sameVictim)) {
        victim = source.victim;
        reused.add(victim.id);
      }
    }
  }
  const drawn = (traits.float() + traits.float()) / 2;
  const propensity = reused.has(accused.id) ? sourcePropensity! : drawn;
  const completes = traits.chance(clamp(0.15 + 0.7 * propensity + COURT_PROFILES[court].compliance, 0.02, 0.98));
  // Disposed (sentencing, final order, dismissal) some months after filing, if that day has come.
  const dismissed = traits.chance(criminal ? 0.18 : 0.25);
  const disposedAfter = dismissed ? traits.int(20, 180) : criminal ? traits.int(45, 300) : traits.int(14, 120);
  const pending = traits.chance(0.05);
  const dispositionDay = addDays(filedDate, disposedAfter);
  const disposed = !demo && !pending && dispositionDay <= SEED_ANCHOR;
  return {
    rnd, demo, id, filedDate, criminal, victim, accused, reused, court,
    status: disposed ? (dismissed ? 'DISMISSED' : 'CLOSED') : 'OPEN',
    dispositionDate: disposed ? dispositionDay : null,
    propensity, completes,
  };
}

/** Appends case `index`'s records, for every agency, to `out`. */
export function generateCase(seed: number, index: number, shelters: housing.Shelter[], out: SeedRows): void {
  const core = caseCore(seed, index);
  const { rnd, demo, filedDate, criminal, victim, accused } = core;
  const profile = COURT_PROFILES[core.court];
  const caseRow: courts.CourtCase = {
    id: core.id,
    docketNumber: `DV-${filedDate.slice(0, 4)}-${String(index + 1).padStart(6, '0')}`,
    caseType: criminal ? 'CRIMINAL_DOMESTIC_VIOLENCE' : 'CIVIL_PROTECTION_ORDER',
    status: core.status,
    courtName: COURTS[core.court],
    filedDate,
    dispositionDate: core.dispositionDate,
  };
  const c = out.courts;
  for (const p of [victim, accused]) if (!core.reused.has(p.id)) c.people.push(p);
  c.cases.push(caseRow);
  c.parties.push(
    { id: rnd.uuid(), caseId: caseRow.id, personId: victim.id, role: criminal ? 'VICTIM' : 'PETITIONER' },
    { id: rnd.uuid(), caseId: caseRow.id, personId: accused.id, role: criminal ? 'DEFENDANT' : 'RESPONDENT' },
  );
  const hearingTypes = criminal
    ? ['ARRAIGNMENT', 'PRETRIAL', 'SENTENCING', 'COMPLIANCE_REVIEW']
    : ['PROTECTIVE_ORDER_HEARING', 'COMPLIANCE_REVIEW'];
  const hearingCount = rnd.int(1, hearingTypes.length);
  for (let h = 0; h < hearingCount; h++) {
    const day = addDays(filedDate, 7 + h * rnd.int(20, 45));
    c.hearings.push({
      id: rnd.uuid(),
      caseId: caseRow.id,
      hearingType: hearingTypes[h],
      scheduledAt: new Date(`${day}T${String(rnd.int(8, 15)).padStart(2, '0')}:30:00Z`),
      courtroom: `Dept. ${rnd.int(1, 24)}`,
      outcome: day < SEED_ANCHOR ? rnd.pick(['Held', 'Continued', 'Held; orders issued']) : null,
    });
  }
  if (demo || rnd.chance(0.85)) {
    const final = rnd.chance(0.6);
    const expiresDate = addDays(filedDate, final ? 365 * rnd.int(1, 5) : rnd.int(14, 30));
    c.orders.push({
      id: rnd.uuid(),
      caseId: caseRow.id,
      kind: final ? 'FINAL' : rnd.pick(['EMERGENCY', 'TEMPORARY']),
      status: expiresDate < SEED_ANCHOR ? 'EXPIRED' : 'ACTIVE',
      protectedPersonId: victim.id,
      restrainedPersonId: accused.id,
      issuedDate: addDays(filedDate, rnd.int(0, 10)),
      expiresDate,
      noContact: rnd.chance(0.8),
      stayAwayDistanceFeet: rnd.pick([100, 300, 500, 1000]),
      firearmSurrender: rnd.chance(0.7),
      vacateResidence: rnd.chance(0.3),
      otherConditions: rnd.chance(0.3) ? 'No contact through third parties or social media' : null,
    });
    // The respondent contacts or approaches the protected person despite the order (reported by the victim or police).
    const order = c.orders[c.orders.length - 1];
    const occurredDate = demo ? SEED_ANCHOR : addDays(order.issuedDate, rnd.int(5, 420));
    if (!demo && rnd.chance(0.03 + 0.2 * (1 - core.propensity)) && occurredDate <= addDays(SEED_ANCHOR, -3)) {
      const finding = rnd.chance(0.75) ? 'SUSTAINED' : rnd.pick(['PENDING', 'NOT_SUSTAINED']);
      const violation: courts.Violation = {
        id: rnd.uuid(), caseId: caseRow.id, personId: accused.id, violationType: 'PROTECTIVE_ORDER_VIOLATION', reportedBy: 'COURTS',
        probationReportId: null, occurredDate, description: 'Contact with the protected person in violation of the order.', finding,
      };
      c.violations.push(violation);
      if (finding === 'SUSTAINED') sanction(rnd, out, core, violation, minDate(addDays(occurredDate, rnd.int(1, 10)), SEED_ANCHOR));
    }
  }

  // The court mandates programs; counseling enrolls the respondent and reports back.
  const programs: string[] = [];
  if (demo || rnd.chance(criminal ? 0.9 : 0.3)) programs.push('BATTERER_INTERVENTION');
  if (demo || rnd.chance(0.35)) programs.push('SUBSTANCE_USE_TREATMENT');
  if (!demo && rnd.chance(0.12)) programs.push('MENTAL_HEALTH_COUNSELING');
  if (!demo && rnd.chance(criminal ? 0.08 : 0.3)) programs.push('PARENTING');
  for (const programType of programs) {
    const orderedDate = addDays(filedDate, rnd.int(10, 40));
    const requiredSessions = REQUIRED_SESSIONS[programType];
    const mandate: courts.ProgramMandate = {
      id: rnd.uuid(),
      caseId: caseRow.id,
      personId: accused.id,
      programType,
      providerAgency: 'COUNSELING',
      orderedDate,
      dueDate: addDays(orderedDate, requiredSessions * 7 + 60),
      requiredSessions,
      status: 'ORDERED',
    };
    c.mandates.push(mandate);
    if (programType === 'SUBSTANCE_USE_TREATMENT' && orderedDate < SEED_ANCHOR && (demo || rnd.chance(0.6))) {
      // 42 CFR 2.35: the referred patient consents to disclosure to probation, irrevocably for a year.
      out.counseling.consents.push({
        id: rnd.uuid(), personId: accused.id, discloser: 'Court-mandated treatment provider', recipientAgency: 'probation',
        purposes: ['compliance_monitoring'], data: ['ProgramEnrollment.*', 'CounselingSession.*', 'ProgressReport.*'],
        signedBy: `${accused.givenName} ${accused.familyName}`, signedDate: orderedDate,
        expiresOn: addDays(orderedDate, 730), expiryEvent: 'end of probation supervision', revokedAt: null,
        irrevocableUntil: addDays(orderedDate, 365), legalBasis: '42 CFR Part 2 (2.31; 2.35)',
      });
    }
    if (orderedDate < SEED_ANCHOR && (demo || rnd.chance(0.7 + 0.25 * core.propensity))) {
      // Completers attend reliably; the others drift away (some programs are harder to finish).
      const completing = !demo && core.completes && rnd.chance(PROGRAM_COMPLETION[programType]);
      mandate.status = enroll(rnd, out, {
        personId: accused.id,
        caseId: caseRow.id,
        mandateId: mandate.id,
        programType,
        referralSource: 'COURT_MANDATE',
        enrolledDate: addDays(orderedDate, demo ? rnd.int(3, 21) : rnd.int(profile.enrollDays[0], profile.enrollDays[1])),
        requiredSessions,
        recipient: 'COURTS',
        demo,
        reliability: demo ? undefined : completing ? 0.84 + rnd.float() * 0.15 : 0.35 + rnd.float() * 0.4,
      });
    }
  }

  // The court refers the victim to services; housing and counseling take them up.
  const referralsFrom = c.referrals.length;
  if (demo || rnd.chance(0.6)) {
    const referredDate = addDays(filedDate, rnd.int(0, 5));
    // Most referred victims start counseling within two weeks; some later, some never.
    const enrolls = demo || rnd.chance(clamp(0.72 + profile.uptake, 0, 1));
    c.referrals.push({ id: rnd.uuid(), caseId: caseRow.id, personId: victim.id, serviceType: 'COUNSELING',
      toAgency: 'COUNSELING', referredDate, status: enrolls ? 'ACCEPTED' : rnd.pick(['SENT', 'DECLINED']) });
    const enrolledDate = addDays(referredDate, demo ? rnd.int(1, 10) : rnd.chance(0.8) ? rnd.int(1, 14) : rnd.int(20, 75));
    if (enrolls && enrolledDate <= SEED_ANCHOR) {
      enroll(rnd, out, {
        personId: victim.id, caseId: caseRow.id, mandateId: null, programType: 'VICTIM_COUNSELING',
        referralSource: 'COURT_REFERRAL', enrolledDate, requiredSessions: null,
        recipient: 'COURTS', demo,
      });
    }
  }
  const shelterReferral = demo || rnd.chance(0.4);
  // Shelter beds are short: some referred victims wait or are not admitted (and may apply for housing instead).
  const admitted = shelterReferral && (demo || rnd.chance(clamp(0.6 + profile.uptake, 0, 1)));
  if (shelterReferral && !admitted) {
    const referredDate = addDays(filedDate, rnd.int(0, 3));
    c.referrals.push({ id: rnd.uuid(), caseId: caseRow.id, personId: victim.id, serviceType: 'SHELTER',
      toAgency: 'HOUSING', referredDate, status: rnd.pick(['SENT', 'DECLINED']) });
    const appliedDate = addDays(referredDate, rnd.int(5, 50));
    if (rnd.chance(0.45) && appliedDate <= SEED_ANCHOR) {
      const decided = appliedDate < addDays(SEED_ANCHOR, -30) && rnd.chance(0.7);
      const status = decided ? rnd.pick(['APPROVED', 'HOUSED', 'DENIED']) : 'SUBMITTED';
      out.housing.applications.push({
        id: rnd.uuid(), personId: victim.id, caseId: caseRow.id,
        program: rnd.pick(['RAPID_REHOUSING', 'TRANSITIONAL_HOUSING', 'EMERGENCY_RENTAL_ASSISTANCE']),
        appliedDate, status, decisionDate: decided ? addDays(appliedDate, rnd.int(5, 25)) : null,
        monthlyAssistance: decided && status !== 'DENIED' ? rnd.int(6, 18) * 100 : null,
      });
    }
  }
  if (admitted) {
    const referredDate = addDays(filedDate, rnd.int(0, 3));
    c.referrals.push({ id: rnd.uuid(), caseId: caseRow.id, personId: victim.id, serviceType: 'SHELTER',
      toAgency: 'HOUSING', referredDate, status: 'ACCEPTED' });
    const admittedDate = minDate(addDays(referredDate, demo ? rnd.int(0, 2) : rnd.chance(0.85) ? rnd.int(0, 3) : rnd.int(10, 45)), SEED_ANCHOR);
    // A victim named again in a follow-up case may have an open stay from the earlier one: this one has ended.
    const exited = !demo && (core.reused.has(victim.id) || rnd.chance(0.6));
    const exitedDate = exited ? minDate(addDays(admittedDate, rnd.int(14, 120)), SEED_ANCHOR) : null;
    out.housing.stays.push({
      id: rnd.uuid(), personId: victim.id, caseId: caseRow.id, shelterId: rnd.pick(shelters).id, admittedDate,
      exitedDate, exitDestination: exited ? rnd.pick(['PERMANENT_HOUSING', 'TRANSITIONAL_HOUSING', 'FAMILY_OR_FRIENDS', 'UNKNOWN']) : null,
    });
    if (demo || rnd.chance(0.5)) {
      // The victim lets housing tell the court whether they are sheltered or housed (VAWA).
      out.housing.consents.push({
        id: rnd.uuid(), personId: victim.id, discloser: 'Housing agency shelter program', recipientAgency: 'courts',
        purposes: ['judicial_review'], data: ['Person.housingStatus'], signedBy: `${victim.givenName} ${victim.familyName}`,
        signedDate: admittedDate, expiresOn: addDays(admittedDate, 365), expiryEvent: null, revokedAt: null,
        irrevocableUntil: null, legalBasis: 'VAWA 34 U.S.C. 12291(b)(2); 28 CFR 90.4',
      });
    }
    if (demo || rnd.chance(0.5)) {
      const appliedDate = addDays(admittedDate, rnd.int(7, 30));
      const decided = !demo && appliedDate < addDays(SEED_ANCHOR, -30) && rnd.chance(0.7);
      const status = decided ? rnd.pick(['APPROVED', 'HOUSED', 'DENIED']) : 'SUBMITTED';
      out.housing.applications.push({
        id: rnd.uuid(), personId: victim.id, caseId: caseRow.id,
        program: rnd.pick(['RAPID_REHOUSING', 'TRANSITIONAL_HOUSING', 'EMERGENCY_RENTAL_ASSISTANCE']),
        appliedDate, status, decisionDate: decided ? addDays(appliedDate, rnd.int(5, 25)) : null,
        monthlyAssistance: decided && status !== 'DENIED' ? rnd.int(6, 18) * 100 : null,
      });
    }
  }

  if (!demo) researchConsents(seed, index, victim, c.referrals.slice(referralsFrom), out);

  // Probation supervises the convicted defendant and reports violations; the court acts on them.
  if (criminal && caseRow.status !== 'DISMISSED' && (demo || rnd.chance(0.8))) {
    supervise(rnd, out, core, caseRow, accused.id);
  }
}

/** Share of referred victims who consent to the receiving agencies' releasing their records to the outcomes service. */
export const RESEARCH_CONSENT_SHARE = 0.7;
/** What a victim's research consent to the outcomes service covers: what the agreements (MOU-2026-HSG-O1, MOU-2026-CNS-O2) read. */
export const RESEARCH_CONSENT_DATA: Record<'housing' | 'counseling', string[]> = {
  housing: ['ShelterStay.admittedDate', 'ShelterStay.person', 'HousingApplication.appliedDate', 'HousingApplication.person', 'Person.housingResearchConsent'],
  counseling: ['ProgramEnrollment.programType', 'ProgramEnrollment.enrolledDate', 'ProgramEnrollment.person', 'Person.counselingResearchConsent'],
};

/**
 * A referred victim's written, time-limited consent (VAWA) to each receiving agency releasing their
 * records to the outcomes service for research, for RESEARCH_CONSENT_SHARE of victims. Decided and
 * identified by hashes of the seed and the victim (not the case's random streams), so every other
 * record of the data set stays as it was.
 */
function researchConsents(seed: number, index: number, victim: courts.Person, referrals: courts.Referral[], out: SeedRows): void {
  const hash = (text: string) => createHash('sha1').update(`${seed}:research-consent:${text}`).digest('hex');
  if (parseInt(hash(victim.id).slice(0, 8), 16) / 2 ** 32 >= RESEARCH_CONSENT_SHARE) return;
  for (const agency of ['housing', 'counseling'] as const) {
    const referral = referrals.find((r) => r.toAgency === agency.toUpperCase());
    if (!referral) continue;
    const hex = [...hash(`${index}:${agency}`).slice(0, 32)];
    hex[12] = '4';
    hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
    const id = hex.join('').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
    out[agency].consents.push({
      id, personId: victim.id, discloser: agency === 'housing' ? 'Housing agency shelter program' : 'Victim counseling program',
      recipientAgency: 'outcomes', purposes: ['research'], data: RESEARCH_CONSENT_DATA[agency],
      signedBy: `${victim.givenName} ${victim.familyName}`, signedDate: referral.referredDate,
      // Time-limited: the evaluation's five years.
      expiresOn: addDays(referral.referredDate, 1826), expiryEvent: null, revokedAt: null, irrevocableUntil: null,
      legalBasis: 'VAWA 34 U.S.C. 12291(b)(2); 28 CFR 90.4: written consent to disclosure for research and evaluation',
    });
  }
}

const REQUIRED_SESSIONS: Record<string, number> = {
  BATTERER_INTERVENTION: 26, SUBSTANCE_USE_TREATMENT: 12, MENTAL_HEALTH_COUNSELING: 16, PARENTING: 10,
};
/** Of the respondents who complete their programs, the share who complete each kind. */
const PROGRAM_COMPLETION: Record<string, number> = {
  BATTERER_INTERVENTION: 0.82, SUBSTANCE_USE_TREATMENT: 0.9, MENTAL_HEALTH_COUNSELING: 0.95, PARENTING: 1,
};

interface EnrollmentPlan {
  personId: string;
  caseId: string;
  mandateId: string | null;
  programType: string;
  referralSource: string;
  enrolledDate: string;
  requiredSessions: number | null;
  recipient: string;
  demo: boolean;
  /** Chance of attending each session (drawn here when not given). */
  reliability?: number;
}

/** Enrolls, records weekly sessions up to the anchor date, and returns the mandate's standing. */
function enroll(rnd: Random, out: SeedRows, plan: EnrollmentPlan): string {
  const k = out.counseling;
  const reliability = plan.demo ? 0.8 : plan.reliability ?? rnd.float() * 0.5 + 0.5;
  const enrollment: counseling.ProgramEnrollment = {
    id: rnd.uuid(), personId: plan.personId, caseId: plan.caseId, mandateId: plan.mandateId,
    programType: plan.programType, providerName: rnd.pick(PROVIDERS[plan.programType]),
    referralSource: plan.referralSource, enrolledDate: plan.enrolledDate, requiredSessions: plan.requiredSessions,
    dischargeDate: null, dischargeOutcome: null,
  };
  k.enrollments.push(enrollment);
  const planned = plan.requiredSessions ?? rnd.int(4, 12);
  let attended = 0;
  let missed = 0;
  let day = plan.enrolledDate;
  for (let s = 0; s < planned + 8 && attended < planned; s++) {
    day = addDays(day, 7);
    if (day > SEED_ANCHOR) break;
    const attendance = rnd.chance(reliability) ? 'ATTENDED' : rnd.chance(0.3) ? 'EXCUSED_ABSENCE' : 'UNEXCUSED_ABSENCE';
    if (attendance === 'ATTENDED') attended++;
    if (attendance === 'UNEXCUSED_ABSENCE') missed++;
    k.sessions.push({ id: rnd.uuid(), enrollmentId: enrollment.id, sessionDate: day,
      format: plan.programType === 'BATTERER_INTERVENTION' ? 'GROUP' : 'INDIVIDUAL', attendance });
    if (s % 3 === 0 && s > 0) {
      k.notes.push({ id: rnd.uuid(), enrollmentId: enrollment.id, writtenAt: new Date(`${day}T17:00:00Z`),
        author: 'Clinician (synthetic)', body: 'Synthetic clinical note: session content and observations.' });
    }
    if (s % 6 === 5 && plan.mandateId) {
      const compliance = missed >= 3 ? 'NON_COMPLIANT' : missed > 0 ? 'PARTIALLY_COMPLIANT' : 'COMPLIANT';
      k.reports.push({ id: rnd.uuid(), enrollmentId: enrollment.id, reportDate: day, compliance,
        summary: `Attended ${attended} of ${s + 1} sessions; ${missed} unexcused absences.`, recipientAgency: plan.recipient });
    }
  }
  if (attended >= planned) {
    enrollment.dischargeDate = day;
    enrollment.dischargeOutcome = 'COMPLETED';
    return 'COMPLETED';
  }
  if (missed >= 4 && !plan.demo) {
    enrollment.dischargeDate = day;
    enrollment.dischargeOutcome = 'NON_COMPLIANT';
    return 'NON_COMPLIANT';
  }
  return 'IN_PROGRESS';
}

/**
 * Probation: pretrial supervision while the case is open, probation from sentencing once it is
 * closed. Positive tests and new offenses come more often from respondents who do not comply.
 */
function supervise(rnd: Random, out: SeedRows, core: CaseCore, caseRow: courts.CourtCase, personId: string): void {
  const { demo } = core;
  const p = out.probation;
  const startDate = core.dispositionDate ? addDays(core.dispositionDate, rnd.int(0, 14)) : addDays(caseRow.filedDate, rnd.int(30, 90));
  if (startDate > SEED_ANCHOR) return;
  const supervision: probation.Supervision = {
    id: rnd.uuid(), personId, caseId: caseRow.id, officerName: rnd.pick(OFFICERS),
    level: rnd.pick(['MODERATE', 'HIGH', 'HIGH', 'INTENSIVE']),
    conditions: CONDITIONS.filter((_, i) => i < 2 || rnd.chance(0.5)),
    startDate, endDate: addDays(startDate, 365 * rnd.int(1, 3)), status: 'ACTIVE',
  };
  p.supervisions.push(supervision);
  const instrument = rnd.pick(['ODARA', 'DVSI_R', 'DANGER_ASSESSMENT']);
  const maxScore = instrument === 'ODARA' ? 13 : instrument === 'DVSI_R' ? 33 : 20;
  const least = Math.floor(maxScore / 4);
  // The assessed risk follows the respondent's (unobserved) propensity, with noise.
  const score = demo ? rnd.int(least, maxScore) : Math.round(least + (maxScore - least) * clamp(1 - core.propensity + (rnd.float() - 0.5) * 0.5, 0, 1));
  p.assessments.push({ id: rnd.uuid(), supervisionId: supervision.id, instrument, score,
    riskLevel: riskLevel(instrument, score), assessedDate: addDays(startDate, rnd.int(0, 14)), assessorName: supervision.officerName });
  const risk = (1 - core.propensity) * (core.completes ? 0.45 : 1);
  const positiveChance = demo ? 0.07 : 0.01 + 0.06 * risk;
  // A new offense within the first year of supervision (~24 check-ins) for 3% + 38% x risk of respondents.
  const offenseChance = 1 - Math.pow(1 - (0.03 + 0.38 * risk), 1 / 24);
  let day = startDate;
  let violationFiled = false;
  let offended = false;
  for (let w = 0; w < 52; w++) {
    day = addDays(day, rnd.int(10, 21));
    if (day > SEED_ANCHOR) break;
    const missed = rnd.chance(demo ? 0.1 : 0.06 + 0.15 * risk);
    p.checkIns.push({ id: rnd.uuid(), supervisionId: supervision.id, checkInDate: day,
      method: rnd.pick(['OFFICE', 'OFFICE', 'HOME_VISIT', 'PHONE']), outcome: missed ? 'MISSED' : 'COMPLETED',
      notes: missed ? 'Did not report as directed.' : null });
    if (w % 2 === 0) {
      const positive = (demo && w === 2) || rnd.chance(positiveChance);
      p.drugTests.push({ id: rnd.uuid(), supervisionId: supervision.id, collectedDate: day,
        testType: rnd.pick(['URINALYSIS', 'BREATHALYZER', 'ORAL_FLUID']), result: positive ? 'POSITIVE' : 'NEGATIVE',
        substancesDetected: positive ? [rnd.pick(['alcohol', 'methamphetamine', 'cocaine', 'THC'])] : [] });
      if (positive && !violationFiled) {
        violationFiled = true;
        reportViolation(rnd, out, core, supervision, day, 'POSITIVE_DRUG_TEST');
      }
    }
    if (!demo && !offended && rnd.chance(offenseChance)) {
      offended = true;
      violationFiled = true;
      reportViolation(rnd, out, core, supervision, day, 'NEW_OFFENSE');
    }
    if (w % 8 === 7) {
      p.complianceReports.push({ id: rnd.uuid(), supervisionId: supervision.id, reportDate: day,
        compliance: violationFiled ? 'PARTIALLY_COMPLIANT' : 'COMPLIANT', summary: 'Synthetic compliance summary for the court.' });
    }
  }
}

const VIOLATION_TEXT: Record<string, string> = {
  POSITIVE_DRUG_TEST: 'Positive test reported to the court as a violation of conditions.',
  NEW_OFFENSE: 'Arrest for a new offense reported to the court as a violation of conditions.',
};

function reportViolation(rnd: Random, out: SeedRows, core: CaseCore, supervision: probation.Supervision, day: string, violationType: string) {
  const { demo } = core;
  const reportDate = minDate(addDays(day, rnd.int(1, 5)), SEED_ANCHOR);
  const report: probation.ViolationReport = {
    id: rnd.uuid(), supervisionId: supervision.id, caseId: supervision.caseId, reportDate, violationType,
    description: VIOLATION_TEXT[violationType], status: 'ACKNOWLEDGED',
  };
  out.probation.violationReports.push(report);
  if (!demo && !rnd.chance(violationType === 'NEW_OFFENSE' ? 0.9 : 0.7)) return;
  const sustained = demo || rnd.chance(0.8);
  const violation: courts.Violation = {
    id: rnd.uuid(), caseId: supervision.caseId, personId: supervision.personId, violationType, reportedBy: 'PROBATION',
    probationReportId: report.id, occurredDate: day, description: 'Violation of probation conditions (from probation report).',
    finding: sustained ? 'SUSTAINED' : 'PENDING',
  };
  out.courts.violations.push(violation);
  if (sustained) sanction(rnd, out, core, violation, reportDate);
}

/** The court's sanction, some days after the violation was reported (how many depends on the court). */
function sanction(rnd: Random, out: SeedRows, core: CaseCore, violation: courts.Violation, reportDate: string): void {
  const [least, most] = core.demo ? [7, 21] : COURT_PROFILES[core.court].sanctionDays;
  out.courts.sanctions.push({ id: rnd.uuid(), caseId: violation.caseId, violationId: violation.id,
    sanctionType: rnd.pick(['WARNING', 'INCREASED_SUPERVISION', 'ADDITIONAL_PROGRAM', 'ELECTRONIC_MONITORING']),
    imposedDate: minDate(addDays(reportDate, rnd.int(least, most)), SEED_ANCHOR), description: 'Sanction imposed at violation hearing.' });
}

// ---------------------------------------------------------------- writing

async function insertAll<T>(db: DataSource | EntityManager, entity: EntitySchema<T>, rows: T[], batch = 1000): Promise<void> {
  for (let i = 0; i < rows.length; i += batch) {
    await db.createQueryBuilder().insert().into(entity).values(rows.slice(i, i + batch) as any).updateEntity(false).execute();
  }
}

async function writeRows(databases: Record<AgencyName, DataSource>, rows: SeedRows): Promise<void> {
  const { courts: c, housing: h, counseling: k, probation: p } = rows;
  await databases.courts.transaction(async (em) => {
    await insertAll(em, courts.PersonEntity, c.people);
    await insertAll(em, courts.CaseEntity, c.cases);
    await insertAll(em, courts.CasePartyEntity, c.parties);
    await insertAll(em, courts.HearingEntity, c.hearings);
    await insertAll(em, courts.ProtectiveOrderEntity, c.orders);
    await insertAll(em, courts.ProgramMandateEntity, c.mandates);
    await insertAll(em, courts.ReferralEntity, c.referrals);
    await insertAll(em, courts.ViolationEntity, c.violations);
    await insertAll(em, courts.SanctionEntity, c.sanctions);
  });
  await databases.housing.transaction(async (em) => {
    await insertAll(em, housing.ShelterStayEntity, h.stays);
    await insertAll(em, housing.HousingApplicationEntity, h.applications);
    await insertAll(em, ConsentEntity, h.consents);
  });
  await databases.counseling.transaction(async (em) => {
    await insertAll(em, counseling.EnrollmentEntity, k.enrollments);
    await insertAll(em, counseling.SessionEntity, k.sessions);
    await insertAll(em, counseling.ProgressReportEntity, k.reports);
    await insertAll(em, counseling.ClinicalNoteEntity, k.notes);
    await insertAll(em, ConsentEntity, k.consents);
  });
  await databases.probation.transaction(async (em) => {
    await insertAll(em, probation.SupervisionEntity, p.supervisions);
    await insertAll(em, probation.CheckInEntity, p.checkIns);
    await insertAll(em, probation.DrugTestEntity, p.drugTests);
    await insertAll(em, probation.RiskAssessmentEntity, p.assessments);
    await insertAll(em, probation.ComplianceReportEntity, p.complianceReports);
    await insertAll(em, probation.ViolationReportEntity, p.violationReports);
  });
}

export interface SeedOptions {
  cases: number;
  seed?: number;
  /** Cases generated and written per round. */
  chunk?: number;
  onProgress?: (written: number, total: number) => void;
  /** The policy clock's date to draw the data for (default SEED_TODAY: the same data set on any day). */
  today?: string;
}

const DATE_TEXT = /^\d{4}-\d{2}-\d{2}$/;

/** Moves every date (YYYY-MM-DD text or Date) of the generated rows by `days`. */
function shiftDates(rows: object, days: number): void {
  if (days === 0) return;
  for (const tables of Object.values(rows)) {
    for (const list of Object.values(tables as Record<string, Record<string, unknown>[]>)) {
      for (const row of list) {
        for (const [key, value] of Object.entries(row)) {
          if (typeof value === 'string' && DATE_TEXT.test(value)) row[key] = addDays(value, days);
          else if (value instanceof Date) row[key] = new Date(value.getTime() + days * 86_400_000);
        }
      }
    }
  }
}

export const DEFAULT_SEED = 20261124;

/** The token subject the seed assigns to the first shelter (`npm run token -- --role shelter_staff --sub ...`). */
export const DEMO_SHELTER_STAFF = 'demo-shelter-staff';

/** Every table the seed writes, children first, per agency (for --reset). */
const TABLES: Record<AgencyName, string[]> = {
  courts: ['sanction', 'violation', 'referral', 'program_mandate', 'protective_order', 'hearing', 'case_party', 'court_case', 'person'],
  housing: ['consent', 'housing_application', 'shelter_stay', 'shelter_staff_assignment', 'shelter'],
  counseling: ['consent', 'clinical_note', 'progress_report', 'counseling_session', 'program_enrollment'],
  probation: ['violation_report', 'compliance_report', 'risk_assessment', 'drug_test', 'check_in', 'supervision'],
};

export async function countCases(databases: Record<AgencyName, DataSource>): Promise<number> {
  const [{ count }] = await databases.courts.query('SELECT count(*)::int AS count FROM court_case');
  return count;
}

export async function clearAll(databases: Record<AgencyName, DataSource>): Promise<void> {
  for (const [agency, tables] of Object.entries(TABLES) as [AgencyName, string[]][]) {
    await databases[agency].query(`TRUNCATE ${tables.join(', ')}`);
  }
}

/** Writes `cases` synthetic cases with all their cross-agency records. Returns the demo case id. */
export async function seedDemoData(databases: Record<AgencyName, DataSource>, options: SeedOptions): Promise<string | null> {
  const seed = options.seed ?? DEFAULT_SEED;
  const chunk = options.chunk ?? 500;
  const shelters = shelterRows(seed);
  await insertAll(databases.housing, housing.ShelterEntity, shelters);
  // A demo member of shelter staff, assigned to the first shelter (schema/roles/housing.yaml).
  await databases.housing.query(
    'INSERT INTO shelter_staff_assignment (id, staff_subject, shelter_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
    [new Random(seed, -2).uuid(), DEMO_SHELTER_STAFF, shelters[0].id],
  );
  let demoCaseId: string | null = null;
  for (let start = 0; start < options.cases; start += chunk) {
    const rows = emptyRows();
    for (let i = start; i < Math.min(options.cases, start + chunk); i++) generateCase(seed, i, shelters, rows);
    if (start === 0) demoCaseId = rows.courts.cases[0]?.id ?? null;
    shiftDates(rows, options.today ? daysBetween(SEED_TODAY, options.today) : 0);
    await writeRows(databases, rows);
    options.onProgress?.(Math.min(options.cases, start + chunk), options.cases);
  }
  return demoCaseId;
}
