/**
 * The loop the agencies run, done through the gateway's mutations: the court opens a case, issues
 * an order and mandates a program; counseling enrolls the respondent and records attendance;
 * probation records a positive test and files a violation report; the court records the violation
 * and a sanction. The court's whole-case view then shows all of it. Bad inputs are refused with
 * the field named, and write nothing.
 */
import { AGENCIES, AgencyName } from '../lib/config';
import { TestStack, operation, startTestStack } from './support/stack';
import { CLERK, COUNSELOR, JUDGE, PROBATION_OFFICER, PROBATION_SUPERVISOR, SHELTER_STAFF, Who } from './support/tokens';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ cases: 3 });
});

afterAll(async () => {
  await stack?.stop();
});

/** Each agency records its own facts: the mutation runs as the owning agency's role that records it (schema/roles). */
const OWNER_OF: Record<string, Who> = {
  enrollInProgram: COUNSELOR, recordSessionAttendance: COUNSELOR, startSupervision: PROBATION_SUPERVISOR,
  recordDrugTest: PROBATION_OFFICER, fileViolationReport: PROBATION_OFFICER, exitShelter: SHELTER_STAFF,
};

async function mutate(field: string, inputType: string, input: Record<string, unknown>, select = 'id') {
  const result = await stack.gql(`mutation($input: ${inputType}!) { ${field}(input: $input) { ${select} } }`, { input }, { as: OWNER_OF[field] ?? CLERK });
  expect(result.errors).toBeUndefined();
  return result.data[field];
}

/** Row counts of every table of every agency: what a refused write must leave unchanged. */
async function rowCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const agency of AGENCIES) {
    const db = stack.databases[agency as AgencyName];
    for (const metadata of db.entityMetadatas) {
      // The logs record the attempt itself (lib/policy/access-log.ts); the records are what must not change.
      if (metadata.tableName === 'disclosure_log' || metadata.tableName === 'access_log') continue;
      const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM "${metadata.tableName}"`);
      counts[`${agency}.${metadata.tableName}`] = n;
    }
  }
  return counts;
}

describe('cross-agency flow', () => {
  it('shows every agency’s writes in the court’s whole-case view', async () => {
    const opened = await mutate(
      'openCase',
      'OpenCaseInput',
      {
        docketNumber: 'DV-2026-900001',
        caseType: 'CRIMINAL_DOMESTIC_VIOLENCE',
        courtName: 'Harbor City Integrated DV Court',
        filedDate: '2026-09-01',
        parties: [
          { newPerson: { givenName: 'Test', familyName: 'Victim', dateOfBirth: '1990-02-03' }, role: 'VICTIM' },
          { newPerson: { givenName: 'Test', familyName: 'Defendant' }, role: 'DEFENDANT' },
        ],
      },
      'id parties { role person { id } }',
    );
    const caseId = opened.id;
    const victimId = opened.parties.find((p: any) => p.role === 'VICTIM').person.id;
    const defendantId = opened.parties.find((p: any) => p.role === 'DEFENDANT').person.id;

    await mutate('issueProtectiveOrder', 'IssueProtectiveOrderInput', {
      caseId, kind: 'TEMPORARY', protectedPersonId: victimId, restrainedPersonId: defendantId,
      issuedDate: '2026-09-02', expiresDate: '2026-12-02', noContact: true, stayAwayDistanceFeet: 500,
      firearmSurrender: true, vacateResidence: false,
    });
    const mandate = await mutate('mandateProgram', 'MandateProgramInput', {
      caseId, personId: defendantId, programType: 'BATTERER_INTERVENTION', providerAgency: 'COUNSELING',
      orderedDate: '2026-09-10', dueDate: '2027-03-10', requiredSessions: 26,
    });

    const enrollment = await mutate('enrollInProgram', 'EnrollInProgramInput', {
      personId: defendantId, caseId, mandateId: mandate.id, programType: 'BATTERER_INTERVENTION',
      providerName: 'Turning Point BIP', referralSource: 'COURT_MANDATE', enrolledDate: '2026-09-15', requiredSessions: 26,
    });
    for (const [day, attendance] of [['2026-09-22', 'ATTENDED'], ['2026-09-29', 'ATTENDED'], ['2026-10-06', 'UNEXCUSED_ABSENCE']]) {
      await mutate('recordSessionAttendance', 'RecordSessionAttendanceInput', {
        enrollmentId: enrollment.id, sessionDate: day, format: 'GROUP', attendance,
      });
    }

    const supervision = await mutate('startSupervision', 'StartSupervisionInput', {
      personId: defendantId, caseId, officerName: 'PO Test', level: 'HIGH',
      conditions: ['No contact with the protected party', 'No alcohol or drugs; submit to testing'],
      startDate: '2026-09-12', endDate: '2027-09-12',
    });
    await mutate('recordDrugTest', 'RecordDrugTestInput', {
      supervisionId: supervision.id, collectedDate: '2026-10-01', testType: 'URINALYSIS', result: 'POSITIVE',
      substancesDetected: ['methamphetamine'],
    });
    const report = await mutate('fileViolationReport', 'FileViolationReportInput', {
      supervisionId: supervision.id, reportDate: '2026-10-02', violationType: 'POSITIVE_DRUG_TEST',
      description: 'Positive urinalysis on 2026-10-01.',
    });

    const violation = await mutate('recordViolation', 'RecordViolationInput', {
      caseId, personId: defendantId, violationType: 'POSITIVE_DRUG_TEST', reportedBy: 'PROBATION',
      probationReportId: report.id, occurredDate: '2026-10-01', description: 'Positive test per probation report.',
    });
    await mutate('imposeSanction', 'ImposeSanctionInput', {
      violationId: violation.id, sanctionType: 'ADDITIONAL_PROGRAM', imposedDate: '2026-10-09',
      description: 'Ordered to substance-use assessment.',
    });

    const whole = await stack.gql(operation('WholeCase'), { id: caseId }, { as: JUDGE });
    const c = whole.data.case;
    expect(c.protectiveOrders).toHaveLength(1);
    expect(c.programMandates[0].enrollments[0]).toMatchObject({ id: enrollment.id, sessionsAttended: 2, status: 'ENROLLED' });
    // Attendance detail is probation's to see (compliance monitoring), not the court's.
    const monitored = await stack.gql(operation('WholeCase'), { id: caseId }, { as: PROBATION_OFFICER });
    expect(monitored.data.case.programEnrollments[0].sessions.map((s: any) => s.attendance)).toEqual(['ATTENDED', 'ATTENDED', 'UNEXCUSED_ABSENCE']);
    expect(c.supervisions[0].drugTests[0]).toMatchObject({ result: 'POSITIVE', substancesDetected: ['methamphetamine'] });
    expect(c.violations[0]).toMatchObject({ finding: 'SUSTAINED', probationReport: { id: report.id, violationType: 'POSITIVE_DRUG_TEST' } });
    expect(c.sanctions[0]).toMatchObject({ sanctionType: 'ADDITIONAL_PROGRAM', imposedDate: '2026-10-09' });
  });
});

describe('bad input', () => {
  const cases: [string, string, string, Record<string, unknown>, string][] = [
    ['an empty docket number', 'openCase', 'OpenCaseInput', {
      docketNumber: ' ', caseType: 'CIVIL_PROTECTION_ORDER', courtName: 'Court', filedDate: '2026-09-01',
      parties: [{ newPerson: { givenName: 'A', familyName: 'B' }, role: 'PETITIONER' }, { newPerson: { givenName: 'C', familyName: 'D' }, role: 'RESPONDENT' }],
    }, 'input.docketNumber'],
    ['a party with both an id and a new person, after a valid one', 'openCase', 'OpenCaseInput', {
      docketNumber: 'DV-2026-900002', caseType: 'CIVIL_PROTECTION_ORDER', courtName: 'Court', filedDate: '2026-09-01',
      parties: [
        { newPerson: { givenName: 'Valid', familyName: 'Petitioner' }, role: 'PETITIONER' },
        { personId: '00000000-0000-4000-8000-000000000000', newPerson: { givenName: 'C', familyName: 'D' }, role: 'RESPONDENT' },
      ],
    }, 'input.parties[1]'],
    ['a role that does not fit the case type', 'openCase', 'OpenCaseInput', {
      docketNumber: 'DV-2026-900003', caseType: 'CIVIL_PROTECTION_ORDER', courtName: 'Court', filedDate: '2026-09-01',
      parties: [{ newPerson: { givenName: 'A', familyName: 'B' }, role: 'VICTIM' }, { newPerson: { givenName: 'C', familyName: 'D' }, role: 'RESPONDENT' }],
    }, 'input.parties[0].role'],
    ['a filing date in the future', 'openCase', 'OpenCaseInput', {
      docketNumber: 'DV-2026-900004', caseType: 'CIVIL_PROTECTION_ORDER', courtName: 'Court', filedDate: '2999-01-01',
      parties: [{ newPerson: { givenName: 'A', familyName: 'B' }, role: 'PETITIONER' }, { newPerson: { givenName: 'C', familyName: 'D' }, role: 'RESPONDENT' }],
    }, 'input.filedDate'],
    ['an unknown case', 'mandateProgram', 'MandateProgramInput', {
      caseId: '00000000-0000-4000-8000-000000000000', personId: '00000000-0000-4000-8000-000000000001',
      programType: 'PARENTING', providerAgency: 'COUNSELING', orderedDate: '2026-09-01', dueDate: '2026-12-01',
    }, 'input.caseId'],
    ['a positive test that names no substance', 'recordDrugTest', 'RecordDrugTestInput', {
      supervisionId: '00000000-0000-4000-8000-000000000000', collectedDate: '2026-10-01', testType: 'URINALYSIS', result: 'POSITIVE',
    }, 'input.supervisionId'],
    ['an enrollment that claims a court mandate without naming it', 'enrollInProgram', 'EnrollInProgramInput', {
      personId: '00000000-0000-4000-8000-000000000000', programType: 'PARENTING', providerName: 'X',
      referralSource: 'COURT_MANDATE', enrolledDate: '2026-09-01',
    }, 'input.mandateId'],
    ['a shelter exit before the admission', 'exitShelter', 'ExitShelterInput', {
      stayId: 'nope', exitedDate: '2026-09-01', exitDestination: 'UNKNOWN',
    }, 'input.stayId'],
  ];

  it.each(cases)('refuses %s, naming the field, and writes nothing', async (_what, field, inputType, input, named) => {
    const before = await rowCounts();
    const result = await stack.gql(`mutation($input: ${inputType}!) { ${field}(input: $input) { id } }`, { input }, { as: OWNER_OF[field] ?? CLERK });
    expect(result.data?.[field] ?? null).toBeNull();
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const fields = result.errors![0].extensions!.problems.map((p: any) => p.field);
    expect(fields).toContain(named);
    expect(result.errors![0].message).toContain(named);
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses a malformed date at the variable, naming it', async () => {
    const result = await stack.gql('mutation($input: ExitShelterInput!) { exitShelter(input: $input) { id } }', {
      input: { stayId: '00000000-0000-4000-8000-000000000000', exitedDate: '2026-02-30', exitDestination: 'UNKNOWN' },
    }, { as: SHELTER_STAFF });
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0].message).toMatch(/exitedDate.*YYYY-MM-DD/s);
  });

  it('lets only the owning agency record its facts', async () => {
    const result = await stack.gql('mutation($input: RecordDrugTestInput!) { recordDrugTest(input: $input) { id } }', {
      input: { supervisionId: '00000000-0000-4000-8000-000000000000', collectedDate: '2026-10-01', testType: 'URINALYSIS', result: 'NEGATIVE' },
    }, { as: JUDGE });
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', coordinate: 'Mutation.recordDrugTest', reason: 'OWNER_ONLY' });
  });

  it('reuses no docket number', async () => {
    const input = {
      docketNumber: 'DV-2026-000001', caseType: 'CIVIL_PROTECTION_ORDER', courtName: 'Court', filedDate: '2026-09-01',
      parties: [{ newPerson: { givenName: 'A', familyName: 'B' }, role: 'PETITIONER' }, { newPerson: { givenName: 'C', familyName: 'D' }, role: 'RESPONDENT' }],
    };
    const before = await rowCounts();
    const result = await stack.gql('mutation($input: OpenCaseInput!) { openCase(input: $input) { id } }', { input });
    expect(result.errors?.[0].extensions?.problems).toEqual([{ field: 'input.docketNumber', message: 'is already used by another case' }]);
    expect(await rowCounts()).toEqual(before);
  });
});
