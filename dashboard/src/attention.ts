/**
 * What needs attention first in a caseload: overdue or failing program mandates, new violations,
 * protective orders about to expire, missed check-ins. Each case gets its flags and a score (the
 * weighted count); the caseload sorts by score unless asked otherwise.
 */
import type { DashboardCaseloadQuery } from './generated/graphql';
import { addDays } from './words';

export type CaseloadCase = DashboardCaseloadQuery['cases']['nodes'][number];

export type FlagKind = 'mandate-overdue' | 'mandate-failing' | 'new-violation' | 'order-expiring' | 'missed-check-in';

export interface Flag {
  kind: FlagKind;
  text: string;
}

/** How far back a violation or missed check-in counts as new, and how soon an expiry is "about to". */
export const NEW_WITHIN_DAYS = 30;
export const EXPIRING_WITHIN_DAYS = 14;

const WEIGHT: Record<FlagKind, number> = {
  'new-violation': 5,
  'order-expiring': 4,
  'mandate-failing': 3,
  'mandate-overdue': 3,
  'missed-check-in': 2,
};

export function flagsOf(c: CaseloadCase, today: string): Flag[] {
  const flags: Flag[] = [];
  const recent = addDays(today, -NEW_WITHIN_DAYS);
  const soon = addDays(today, EXPIRING_WITHIN_DAYS);
  for (const m of c.programMandates ?? []) {
    if (m.status === 'NON_COMPLIANT') flags.push({ kind: 'mandate-failing', text: 'Mandate non-compliant' });
    else if (m.dueDate && m.dueDate < today && (m.status === 'ORDERED' || m.status === 'IN_PROGRESS'))
      flags.push({ kind: 'mandate-overdue', text: `Mandate overdue since ${m.dueDate}` });
  }
  const newViolations =
    (c.violations ?? []).filter((v) => v.finding === 'PENDING' || (v.occurredDate != null && v.occurredDate >= recent)).length +
    (c.supervisions ?? []).flatMap((s) => s.violationReports ?? []).filter((r) => r.status === 'FILED' || (r.reportDate != null && r.reportDate >= recent)).length;
  if (newViolations > 0) flags.push({ kind: 'new-violation', text: `${newViolations} new violation${newViolations > 1 ? 's' : ''}` });
  for (const o of c.protectiveOrders ?? []) {
    if (o.status === 'ACTIVE' && o.expiresDate && o.expiresDate >= today && o.expiresDate <= soon)
      flags.push({ kind: 'order-expiring', text: `Protective order expires ${o.expiresDate}` });
  }
  const missed = (c.supervisions ?? []).flatMap((s) => s.checkIns ?? []).filter((k) => k.outcome === 'MISSED' && k.checkInDate != null && k.checkInDate >= recent).length;
  if (missed > 0) flags.push({ kind: 'missed-check-in', text: `${missed} missed check-in${missed > 1 ? 's' : ''}` });
  return flags;
}

export function scoreOf(flags: Flag[]): number {
  return flags.reduce((sum, f) => sum + WEIGHT[f.kind], 0);
}

/** Whether the caller's own agency has records in the case (the court has them all). */
export function involves(c: CaseloadCase, agency: string): boolean {
  switch (agency) {
    case 'courts':
      return true;
    case 'housing':
      return (c.shelterStays?.length ?? 0) + (c.housingApplications?.length ?? 0) > 0;
    case 'counseling':
      return (c.programEnrollments?.length ?? 0) > 0;
    case 'probation':
      return (c.supervisions?.length ?? 0) > 0;
    default:
      return true;
  }
}

/** The soonest expiry of an active protective order, for sorting. */
export function nextExpiry(c: CaseloadCase): string | null {
  const dates = (c.protectiveOrders ?? []).filter((o) => o.status === 'ACTIVE' && o.expiresDate).map((o) => o.expiresDate!);
  return dates.length ? dates.sort()[0] : null;
}
