import { housingStatus } from '../../subgraphs/housing/resolvers';
import { riskLevel } from '../../subgraphs/probation/risk';

describe('housing status', () => {
  const stay = (exitedDate: string | null) => ({ id: 's', personId: 'p', caseId: null, shelterId: 'x', admittedDate: '2026-01-01', exitedDate, exitDestination: null });
  const application = (status: string) => ({ id: 'a', personId: 'p', caseId: null, program: 'RAPID_REHOUSING', appliedDate: '2026-01-01', status, decisionDate: null, monthlyAssistance: null });
  it('says where a person stands without saying where they are', () => {
    expect(housingStatus([stay(null)], [application('HOUSED')])).toBe('IN_SHELTER');
    expect(housingStatus([stay('2026-02-01')], [application('HOUSED')])).toBe('HOUSED_WITH_ASSISTANCE');
    expect(housingStatus([], [application('SUBMITTED')])).toBe('APPLICATION_PENDING');
    expect(housingStatus([stay('2026-02-01')], [application('DENIED')])).toBe('EXITED_SHELTER');
    expect(housingStatus([], [])).toBe('NOT_KNOWN');
  });
});

describe('risk level', () => {
  it('follows each instrument’s bands', () => {
    expect(riskLevel('ODARA', 0)).toBe('LOW');
    expect(riskLevel('ODARA', 4)).toBe('MODERATE');
    expect(riskLevel('ODARA', 7)).toBe('SEVERE');
    expect(riskLevel('DANGER_ASSESSMENT', 14)).toBe('HIGH');
    expect(riskLevel('DVSI_R', 33)).toBe('SEVERE');
  });
});
