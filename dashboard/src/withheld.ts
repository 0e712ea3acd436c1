/**
 * Withheld fields: the gateway answers a field the caller may not see with `null` and an error
 * (code FORBIDDEN, the field's coordinate and a reason code) at the field's path, and the rest of
 * the case still arrives. The client keeps the data beside the errors (urql does; Apollo Client
 * needs errorPolicy 'all'); this module indexes the errors by path and puts the reasons in words,
 * so a screen can tell "withheld, and why" from "no value".
 */
import type { GraphQLError } from 'graphql';
import { humanize } from './words';

export interface Caller {
  agency: string;
  role: string;
  purpose: string;
}

export interface Withheld {
  /** The response path, dot-joined: `case.parties.0.person.housingStatus`. */
  path: string;
  /** `Type.field`. */
  coordinate: string;
  /** The reason code (extensions.reason) or the error code. */
  reason: string;
  /** The reason in words, for the screen. */
  words: string;
  /** The agency whose field it is. */
  owner: string;
}

/** The agency whose records a type holds (the supergraph's subgraphs). */
const TYPE_OWNER: Record<string, string> = {
  Case: 'courts', CaseParty: 'courts', Person: 'courts', Hearing: 'courts', ProtectiveOrder: 'courts',
  ProtectiveOrderConditions: 'courts', ProgramMandate: 'courts', Referral: 'courts', Violation: 'courts', Sanction: 'courts',
  ShelterStay: 'housing', HousingApplication: 'housing', Shelter: 'housing', HousingConsent: 'housing',
  ProgramEnrollment: 'counseling', CounselingSession: 'counseling', ProgressReport: 'counseling', ClinicalNote: 'counseling', TreatmentConsent: 'counseling',
  Supervision: 'probation', CheckIn: 'probation', DrugTest: 'probation', RiskAssessment: 'probation', ComplianceReport: 'probation', ViolationReport: 'probation',
};

/** Fields another agency adds to a type it does not own (federation entities). */
const FIELD_OWNER: Record<string, string> = {
  'Case.shelterStays': 'housing',
  'Case.housingApplications': 'housing',
  'Case.programEnrollments': 'counseling',
  'Case.supervisions': 'probation',
  'Person.housingStatus': 'housing',
  'ProgramMandate.enrollments': 'counseling',
};

export function ownerOf(coordinate: string): string {
  return FIELD_OWNER[coordinate] ?? TYPE_OWNER[coordinate.split('.')[0]] ?? 'another agency';
}

const AGENCY_NAME: Record<string, string> = { courts: 'the court', housing: 'housing', counseling: 'counseling', probation: 'probation' };
const agencyName = (agency: string) => AGENCY_NAME[agency] ?? agency;

/** A refusal's reason in words, as the person at the screen would say it. */
export function reasonInWords(reason: string, owner: string, caller: Caller, extensions: Record<string, unknown> = {}, about = 'victim'): string {
  const own = caller.agency === owner;
  switch (reason) {
    case 'OWNER_ONLY':
      return `kept by ${agencyName(owner)} only`;
    case 'NO_AGREEMENT':
      return `not shared with ${agencyName(caller.agency)}`;
    case 'PURPOSE_NOT_COVERED':
      return own
        ? `your role may not see it for ${humanize(caller.purpose).toLowerCase()}`
        : `not shared with ${agencyName(caller.agency)} for ${humanize(caller.purpose).toLowerCase()}`;
    case 'AGREEMENT_EXPIRED':
      return `the agreement sharing it with ${agencyName(caller.agency)} has expired`;
    case 'AGREEMENT_NOT_YET_IN_FORCE':
      return `the agreement sharing it with ${agencyName(caller.agency)} is not yet in force`;
    case 'RECORD_WITHHELD':
      // The same answer whether there is no consent, a revoked one or no record: say no more.
      return owner === 'housing'
        ? `needs the ${about}'s consent`
        : owner === 'counseling'
          ? "needs the patient's written consent, or is outside the records the agreement covers"
          : 'not released for this record';
    // Precise consent reasons go only to the owner's log; worded in case an owner's screen shows them.
    case 'CONSENT_MISSING':
      return `needs the ${about}'s consent, and none is on file`;
    case 'CONSENT_EXPIRED':
      return `the ${about}'s consent has expired`;
    case 'CONSENT_REVOKED':
      return `the ${about} has revoked their consent`;
    case 'NOTICE_NOT_SELECTED':
      return 'substance-use treatment data, released only with its redisclosure notice (42 CFR 2.32), which this screen did not ask for';
    case 'ROLE_NOT_PERMITTED':
      return `not open to the ${humanize(caller.role).toLowerCase()} role`;
    case 'RECORD_NOT_ASSIGNED':
      return 'only for the records assigned to you';
    case 'UNCLASSIFIED':
      return 'not classified by any policy, so not released';
    case 'AUDIT_UNAVAILABLE':
      return 'held back: the disclosure could not be logged';
    case 'SUBGRAPH_UNAVAILABLE':
    case 'DEADLINE_EXCEEDED':
      return `${agencyName(String(extensions.serviceName ?? owner))} did not answer in time`;
    default:
      return humanize(reason).toLowerCase();
  }
}

/** Reason codes that mean "withheld" (as opposed to a failure or a bad request). */
const WITHHOLDING_CODES = new Set(['FORBIDDEN', 'AUDIT_UNAVAILABLE', 'SUBGRAPH_UNAVAILABLE', 'DEADLINE_EXCEEDED']);

export class WithheldFields {
  private readonly byPath = new Map<string, Withheld>();
  /** Errors that are not a withheld field (shown as such). */
  readonly other: string[] = [];

  constructor(
    errors: readonly GraphQLError[] | undefined,
    private readonly caller: Caller,
  ) {
    for (const error of errors ?? []) {
      const extensions = (error.extensions ?? {}) as Record<string, unknown>;
      const code = String(extensions.code ?? '');
      if (!error.path || !WITHHOLDING_CODES.has(code)) {
        this.other.push(error.message);
        continue;
      }
      const path = error.path.join('.');
      const coordinate = typeof extensions.coordinate === 'string' ? extensions.coordinate : path;
      const owner = ownerOf(coordinate);
      const reason = code === 'FORBIDDEN' ? String(extensions.reason ?? 'FORBIDDEN') : code;
      this.byPath.set(path, { path, coordinate, reason, words: reasonInWords(reason, owner, caller, extensions), owner });
    }
  }

  /**
   * The refusal of the field at `path`, if it was withheld. `about` names whose consent a
   * record-level refusal waits for when the screen knows better than "the victim's" (a party who
   * is not the victim: "the person's").
   */
  at(path: string, about?: string): Withheld | undefined {
    const refusal = this.byPath.get(path);
    if (!refusal || !about || refusal.reason !== 'RECORD_WITHHELD') return refusal;
    return { ...refusal, words: reasonInWords(refusal.reason, refusal.owner, this.caller, {}, about) };
  }

  get all(): Withheld[] {
    return [...this.byPath.values()];
  }

  get size(): number {
    return this.byPath.size;
  }
}
