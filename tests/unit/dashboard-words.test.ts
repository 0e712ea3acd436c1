/**
 * The dashboard's own logic, without a browser: refusal reasons in words (every reason the
 * policy can answer has words of its own), the caseload's attention flags, and a refused write's
 * problems placed at their fields.
 */
import fs from 'node:fs';
import path from 'node:path';
import { GraphQLError } from 'graphql';
import { CombinedError } from '@urql/core';
import { WithheldFields, ownerOf, reasonInWords } from '../../dashboard/src/withheld';
import { flagsOf, involves, scoreOf, type CaseloadCase } from '../../dashboard/src/attention';
import { formErrorsOf } from '../../dashboard/src/mutationErrors';

const JUDGE = { agency: 'courts', role: 'judge', purpose: 'judicial_review' };
const OFFICER = { agency: 'probation', role: 'probation_officer', purpose: 'compliance_monitoring' };

/** The reason codes of lib/policy/rules.ts's DenialReason, read from the source. */
function denialReasons(): string[] {
  const source = fs.readFileSync(path.join(__dirname, '..', '..', 'lib', 'policy', 'rules.ts'), 'utf8');
  const union = /export type DenialReason =([^;]+);/.exec(source)![1];
  return [...union.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]);
}

describe('refusal reasons in words', () => {
  it.each(denialReasons())('%s has words of its own, never the code', (reason) => {
    for (const owner of ['courts', 'housing', 'counseling', 'probation']) {
      const words = reasonInWords(reason, owner, OFFICER);
      expect(words).not.toContain(reason);
      expect(words).not.toBe(reason.toLowerCase().replace(/_/g, ' ')); // not the fallback
      expect(words.length).toBeGreaterThan(8);
    }
  });

  it('says what the issue asks in the people-facing terms', () => {
    expect(reasonInWords('RECORD_WITHHELD', 'housing', JUDGE)).toBe("needs the victim's consent");
    expect(reasonInWords('RECORD_WITHHELD', 'housing', JUDGE, {}, 'person')).toBe("needs the person's consent");
    expect(reasonInWords('NO_AGREEMENT', 'counseling', OFFICER)).toBe('not shared with probation');
    expect(reasonInWords('OWNER_ONLY', 'housing', JUDGE)).toBe('kept by housing only');
    expect(reasonInWords('SUBGRAPH_UNAVAILABLE', 'housing', JUDGE, { serviceName: 'housing' })).toBe('housing did not answer in time');
  });

  it('knows whose each field is, entities extended by other agencies included', () => {
    expect(ownerOf('Person.housingStatus')).toBe('housing');
    expect(ownerOf('Person.givenName')).toBe('courts');
    expect(ownerOf('ProgramMandate.enrollments')).toBe('counseling');
    expect(ownerOf('CheckIn.notes')).toBe('probation');
  });

  it('indexes withheld fields by path and keeps other errors apart', () => {
    const withheld = new WithheldFields(
      [
        new GraphQLError('Person.housingStatus withheld: ...', { path: ['case', 'parties', 0, 'person', 'housingStatus'], extensions: { code: 'FORBIDDEN', coordinate: 'Person.housingStatus', reason: 'RECORD_WITHHELD' } }),
        new GraphQLError('The probation service is unavailable', { path: ['case', 'supervisions'], extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'probation' } }),
        new GraphQLError('boom', { extensions: { code: 'INTERNAL_SERVER_ERROR' } }),
      ],
      JUDGE,
    );
    expect(withheld.size).toBe(2);
    expect(withheld.at('case.parties.0.person.housingStatus')!.words).toBe("needs the victim's consent");
    expect(withheld.at('case.parties.0.person.housingStatus', 'person')!.words).toBe("needs the person's consent");
    expect(withheld.at('case.supervisions')!.words).toBe('probation did not answer in time');
    expect(withheld.at('case.parties.0.person.givenName')).toBeUndefined();
    expect(withheld.other).toEqual(['boom']);
  });
});

describe('attention flags', () => {
  const base: CaseloadCase = {
    id: 'c1', docketNumber: 'DV-2026-000001', caseType: 'CRIMINAL_DOMESTIC_VIOLENCE', status: 'OPEN', courtName: 'C', filedDate: '2026-01-01',
    parties: [], protectiveOrders: [], programMandates: [], violations: [], programEnrollments: [], shelterStays: [], housingApplications: [], supervisions: [],
  };
  const today = '2026-11-24';

  it('flags overdue and failing mandates, new violations, orders about to expire, missed check-ins', () => {
    const c: CaseloadCase = {
      ...base,
      programMandates: [
        { id: 'm1', programType: 'PARENTING', dueDate: '2026-11-01', status: 'IN_PROGRESS' },
        { id: 'm2', programType: 'PARENTING', dueDate: '2027-01-01', status: 'NON_COMPLIANT' },
        { id: 'm3', programType: 'PARENTING', dueDate: '2026-11-01', status: 'COMPLETED' },
      ],
      violations: [{ id: 'v1', occurredDate: '2026-11-20', finding: 'SUSTAINED' }, { id: 'v2', occurredDate: '2025-01-01', finding: 'SUSTAINED' }],
      protectiveOrders: [{ id: 'o1', status: 'ACTIVE', expiresDate: '2026-12-01' }, { id: 'o2', status: 'ACTIVE', expiresDate: '2027-12-01' }],
      supervisions: [{ id: 's1', checkIns: [{ id: 'k1', checkInDate: '2026-11-10', outcome: 'MISSED' }, { id: 'k2', checkInDate: '2026-01-10', outcome: 'MISSED' }], violationReports: [] }],
    };
    const flags = flagsOf(c, today);
    expect(flags.map((f) => f.kind).sort()).toEqual(['mandate-failing', 'mandate-overdue', 'missed-check-in', 'new-violation', 'order-expiring']);
    expect(flags.find((f) => f.kind === 'new-violation')!.text).toBe('1 new violation');
    expect(scoreOf(flags)).toBeGreaterThan(scoreOf(flagsOf({ ...c, violations: [] }, today)));
    expect(flagsOf(base, today)).toEqual([]);
  });

  it('withheld lists (null) count as nothing to flag, and a caseload is the agency’s own cases', () => {
    const withheld = { ...base, supervisions: null, programMandates: null, shelterStays: null };
    expect(flagsOf(withheld, today)).toEqual([]);
    expect(involves(withheld, 'courts')).toBe(true);
    expect(involves(withheld, 'housing')).toBe(false);
    expect(involves({ ...base, housingApplications: [{ id: 'a' }] }, 'housing')).toBe(true);
    expect(involves({ ...base, supervisions: [{ id: 's', checkIns: [], violationReports: [] }] }, 'probation')).toBe(true);
  });
});

describe("a refused write's problems, at their fields", () => {
  it('places each problem of a BAD_USER_INPUT at the field it names', () => {
    const error = new CombinedError({
      graphQLErrors: [
        new GraphQLError('Invalid input: ...', {
          extensions: { code: 'BAD_USER_INPUT', field: 'input.dueDate', problems: [{ field: 'input.dueDate', message: 'must not be before input.orderedDate' }, { field: 'input.requiredSessions', message: 'must be at most 104' }] },
        }),
      ],
    });
    expect(formErrorsOf(error)).toEqual({ fields: { dueDate: 'must not be before input.orderedDate', requiredSessions: 'must be at most 104' }, form: [] });
  });

  it('places a value the schema refused at its field, and a refusal on the form', () => {
    const error = new CombinedError({
      graphQLErrors: [
        new GraphQLError('Variable "$input" got invalid value "" at "input.sessionDate"; Expected type "Date". Date must be YYYY-MM-DD', { extensions: { code: 'BAD_USER_INPUT' } }),
        new GraphQLError('Mutation.recordSessionAttendance withheld: ...', { extensions: { code: 'FORBIDDEN' } }),
      ],
    });
    const errors = formErrorsOf(error);
    expect(errors.fields).toEqual({ sessionDate: 'Expected type "Date". Date must be YYYY-MM-DD' });
    expect(errors.form).toEqual(['Not allowed: Mutation.recordSessionAttendance withheld: ...']);
  });
});
