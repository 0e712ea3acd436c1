/**
 * The de-identified, linked case record the outcomes snapshot keeps, and how one is made from a
 * case read through the gateway: people and cases by keyed pseudonyms (HMAC-SHA256 under a key
 * that never leaves this service), ages as bands at the case's filing, and only the coded fields
 * and dates the metrics need — no names, birth dates, docket numbers, addresses or free text.
 */
import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, dataDir } from '../../lib/config';

export interface DeidentifiedCase {
  case: string;
  court: string | null;
  caseType: string | null;
  status: string | null;
  filed: string | null;
  disposed: string | null;
  parties: { person: string; role: string | null; ageBand: string }[];
  orders: { issued: string | null; protected: string | null; restrained: string | null }[];
  mandates: {
    person: string | null;
    programType: string | null;
    ordered: string | null;
    due: string | null;
    status: string | null;
    enrollments: { enrolled: string | null; requiredSessions: number | null; attended: number | null; discharged: string | null; outcome: string | null }[];
  }[];
  /**
   * `consented`: for a referral to housing or counseling, whether the victim's consent letting that
   * agency release their records to this service for research was in force (VAWA); without it the
   * broker sees none of the victim's records there. Null for referrals elsewhere.
   */
  referrals: { person: string | null; toAgency: string | null; referred: string | null; consented: boolean | null }[];
  violations: { person: string | null; type: string | null; occurred: string | null; finding: string | null; sanctions: string[] }[];
  /** A victim's engagement with a service: admitted to shelter, applied for housing, enrolled in counseling. */
  services: { person: string | null; kind: 'SHELTER' | 'HOUSING_APPLICATION' | 'COUNSELING'; date: string | null }[];
  supervisions: { person: string | null; start: string | null; end: string | null; riskLevel: string | null; violationReports: string[] }[];
}

// ---------------------------------------------------------------- pseudonyms

type Env = Record<string, string | undefined>;

/**
 * The pseudonym key: OUTCOMES_PSEUDONYM_KEY_FILE (required in production), else a development key
 * created on first use in the data folder, beside the development signing keys.
 */
export function loadPseudonymKey(env: Env = process.env): Buffer {
  const file = env.OUTCOMES_PSEUDONYM_KEY_FILE;
  if (!file && env.NODE_ENV === 'production') throw new ConfigError('OUTCOMES_PSEUDONYM_KEY_FILE must be set in production');
  const target = file || path.join(dataDir(env), 'keys', 'outcomes-pseudonym.key');
  if (!file && !fs.existsSync(target)) {
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
    fs.writeFileSync(target, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  }
  let text: string;
  try {
    text = fs.readFileSync(target, 'utf8').trim();
  } catch (error) {
    throw new ConfigError(`OUTCOMES_PSEUDONYM_KEY_FILE ${target} could not be read: ${(error as Error).message}`);
  }
  if (!/^[0-9a-f]{64,}$/i.test(text)) throw new ConfigError(`the pseudonym key in ${target} must be at least 32 bytes written in hex`);
  return Buffer.from(text, 'hex');
}

export type Pseudonymizer = (kind: 'person' | 'case', id: string) => string;

export function pseudonymizer(key: Buffer): Pseudonymizer {
  return (kind, id) => createHmac('sha256', key).update(`${kind}:${id}`).digest('base64url').slice(0, 22);
}

// ---------------------------------------------------------------- age bands

/** Age in whole years on `on` of someone born on `born` (both YYYY-MM-DD), as a band. */
export function ageBand(born: string | null | undefined, on: string | null | undefined): string {
  if (!born || !on) return 'UNKNOWN';
  const [by, bm, bd] = born.split('-').map(Number);
  const [y, m, d] = on.split('-').map(Number);
  const age = y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
  if (age < 18) return 'UNDER_18';
  if (age < 25) return '18_24';
  if (age < 35) return '25_34';
  if (age < 45) return '35_44';
  if (age < 55) return '45_54';
  return '55_PLUS';
}

// ---------------------------------------------------------------- from the gateway

/** What the broker reads of one case through the gateway (the fields of REFRESH_QUERY). */
export interface GatewayCase {
  id: string;
  caseType?: string | null;
  status?: string | null;
  courtName?: string | null;
  filedDate?: string | null;
  dispositionDate?: string | null;
  parties?: { role?: string | null; person?: { id: string; dateOfBirth?: string | null } | null }[] | null;
  protectiveOrders?: { issuedDate?: string | null; protectedPerson?: { id: string } | null; restrainedPerson?: { id: string } | null }[] | null;
  programMandates?: {
    programType?: string | null;
    orderedDate?: string | null;
    dueDate?: string | null;
    status?: string | null;
    person?: { id: string } | null;
    enrollments?: { enrolledDate?: string | null; requiredSessions?: number | null; sessionsAttended?: number | null; dischargeDate?: string | null; dischargeOutcome?: string | null }[] | null;
  }[] | null;
  referrals?: {
    toAgency?: string | null;
    referredDate?: string | null;
    /** The research consent fields are released only under the victim's consent (true), else withheld (null). */
    person?: { id: string; housingResearchConsent?: boolean | null; counselingResearchConsent?: boolean | null } | null;
  }[] | null;
  violations?: { violationType?: string | null; occurredDate?: string | null; finding?: string | null; person?: { id: string } | null; sanctions?: { imposedDate?: string | null }[] | null }[] | null;
  programEnrollments?: { programType?: string | null; enrolledDate?: string | null; person?: { id: string } | null }[] | null;
  shelterStays?: { admittedDate?: string | null; person?: { id: string } | null }[] | null;
  housingApplications?: { appliedDate?: string | null; person?: { id: string } | null }[] | null;
  supervisions?: { startDate?: string | null; endDate?: string | null; currentRiskLevel?: string | null; person?: { id: string } | null; violationReports?: { reportDate?: string | null }[] | null }[] | null;
}

/** The fields the broker reads, one page of cases at a time (the agreements granting them are outcomes' grantor side). */
export const REFRESH_QUERY = `query OutcomesRefresh($first: Int!, $after: String) {
  cases(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id caseType status courtName filedDate dispositionDate
      parties { role person { id dateOfBirth } }
      protectiveOrders { issuedDate protectedPerson { id } restrainedPerson { id } }
      programMandates { programType orderedDate dueDate status person { id }
        enrollments { enrolledDate requiredSessions sessionsAttended dischargeDate dischargeOutcome } }
      referrals { toAgency referredDate person { id housingResearchConsent counselingResearchConsent } }
      violations { violationType occurredDate finding person { id } sanctions { imposedDate } }
      programEnrollments { programType enrolledDate person { id } }
      shelterStays { admittedDate person { id } }
      housingApplications { appliedDate person { id } }
      supervisions { startDate endDate currentRiskLevel person { id } violationReports { reportDate } }
    }
  }
}`;

/** Whether the receiving agency released the victim's research consent (housing, counseling), else null. */
function referralConsent(r: NonNullable<GatewayCase['referrals']>[number]): boolean | null {
  if (r.toAgency === 'HOUSING') return r.person?.housingResearchConsent === true;
  if (r.toAgency === 'COUNSELING') return r.person?.counselingResearchConsent === true;
  return null;
}

const sortedDates = (dates: (string | null | undefined)[]): string[] => dates.filter((d): d is string => Boolean(d)).sort();

/** One case, de-identified. Victim counseling is the only enrollment kept outside mandates (engagement). */
export function deidentify(c: GatewayCase, pseudonym: Pseudonymizer): DeidentifiedCase {
  const who = (p: { id: string } | null | undefined) => (p ? pseudonym('person', p.id) : null);
  return {
    case: pseudonym('case', c.id),
    court: c.courtName ?? null,
    caseType: c.caseType ?? null,
    status: c.status ?? null,
    filed: c.filedDate ?? null,
    disposed: c.dispositionDate ?? null,
    parties: (c.parties ?? []).filter((p) => p.person).map((p) => ({ person: pseudonym('person', p.person!.id), role: p.role ?? null, ageBand: ageBand(p.person!.dateOfBirth, c.filedDate) })),
    orders: (c.protectiveOrders ?? []).map((o) => ({ issued: o.issuedDate ?? null, protected: who(o.protectedPerson), restrained: who(o.restrainedPerson) })),
    mandates: (c.programMandates ?? []).map((m) => ({
      person: who(m.person),
      programType: m.programType ?? null,
      ordered: m.orderedDate ?? null,
      due: m.dueDate ?? null,
      status: m.status ?? null,
      enrollments: (m.enrollments ?? []).map((e) => ({
        enrolled: e.enrolledDate ?? null,
        requiredSessions: e.requiredSessions ?? null,
        attended: e.sessionsAttended ?? null,
        discharged: e.dischargeDate ?? null,
        outcome: e.dischargeOutcome ?? null,
      })),
    })),
    referrals: (c.referrals ?? []).map((r) => ({ person: who(r.person), toAgency: r.toAgency ?? null, referred: r.referredDate ?? null, consented: referralConsent(r) })),
    violations: (c.violations ?? []).map((v) => ({
      person: who(v.person),
      type: v.violationType ?? null,
      occurred: v.occurredDate ?? null,
      finding: v.finding ?? null,
      sanctions: sortedDates((v.sanctions ?? []).map((s) => s.imposedDate)),
    })),
    services: [
      ...(c.shelterStays ?? []).map((s) => ({ person: who(s.person), kind: 'SHELTER' as const, date: s.admittedDate ?? null })),
      ...(c.housingApplications ?? []).map((a) => ({ person: who(a.person), kind: 'HOUSING_APPLICATION' as const, date: a.appliedDate ?? null })),
      ...(c.programEnrollments ?? [])
        .filter((e) => e.programType === 'VICTIM_COUNSELING')
        .map((e) => ({ person: who(e.person), kind: 'COUNSELING' as const, date: e.enrolledDate ?? null })),
    ],
    supervisions: (c.supervisions ?? []).map((s) => ({
      person: who(s.person),
      start: s.startDate ?? null,
      end: s.endDate ?? null,
      riskLevel: s.currentRiskLevel ?? null,
      violationReports: sortedDates((s.violationReports ?? []).map((r) => r.reportDate)),
    })),
  };
}
