import { EntityManager } from 'typeorm';
import { SubgraphContext } from '../../lib/subgraph';
import { InputCheck, requireExisting } from '../../lib/validation';
import { byId, describeUniqueConstraint, inTransaction, insertRow } from '../../lib/writes';
import {
  CaseEntity,
  CasePartyEntity,
  CourtCase,
  HearingEntity,
  PersonEntity,
  ProgramMandateEntity,
  ProtectiveOrderEntity,
  ReferralEntity,
  SanctionEntity,
  ViolationEntity,
} from './entities';
import { CourtsLoaders } from './loaders';

type Ctx = SubgraphContext<CourtsLoaders>;

const DOCKET_USED = 'is already used by another case';
// Constraints of migration 1764000000000, named by PostgreSQL's defaults.
describeUniqueConstraint('court_case_docket_number_key', 'docketNumber', DOCKET_USED);
describeUniqueConstraint('case_party_case_id_person_id_role_key', 'parties', 'names the same person twice in the same role');

export const DOCKET_PATTERN = /^[A-Z]{2,4}-\d{4}-\d{3,8}$/;

interface PersonInput {
  givenName: string;
  familyName: string;
  dateOfBirth?: string | null;
}

function checkPerson(check: InputCheck, at: string, input: PersonInput): PersonInput {
  const field = (name: string) => (at ? `${at}.${name}` : name);
  const givenName = check.text(field('givenName'), input.givenName, { max: 100 });
  const familyName = check.text(field('familyName'), input.familyName, { max: 100 });
  check.notInFuture(field('dateOfBirth'), input.dateOfBirth);
  if (input.dateOfBirth && input.dateOfBirth < '1900-01-01') check.fail(field('dateOfBirth'), 'must not be before 1900-01-01');
  return { givenName: givenName ?? '', familyName: familyName ?? '', dateOfBirth: input.dateOfBirth ?? null };
}

function findCase(em: EntityManager, check: InputCheck, caseId: string | null) {
  return requireExisting(check, 'caseId', caseId, 'case', byId(em, CaseEntity));
}

/** The person must be a party to the case. */
async function requireParty(em: EntityManager, check: InputCheck, field: string, caseId: string | null, personId: string | null) {
  if (!caseId || !personId || !check.ok) return;
  const party = await em.findOneBy(CasePartyEntity, { caseId, personId });
  if (!party) check.fail(field, 'is not a party to this case');
}

const PROTECTED_ROLES = new Set(['VICTIM', 'PETITIONER']);
const ACCUSED_ROLES = new Set(['RESPONDENT', 'DEFENDANT']);
const ROLES_BY_CASE_TYPE: Record<string, Set<string>> = {
  CRIMINAL_DOMESTIC_VIOLENCE: new Set(['VICTIM', 'DEFENDANT']),
  CIVIL_PROTECTION_ORDER: new Set(['PETITIONER', 'RESPONDENT']),
};

interface OpenCaseInput {
  docketNumber: string;
  caseType: string;
  courtName: string;
  filedDate: string;
  parties: { personId?: string | null; newPerson?: PersonInput | null; role: string }[];
}

export const courtsMutations = {
  registerPerson: (_: unknown, { input }: { input: PersonInput }, ctx: Ctx) =>
    inTransaction(ctx, async (em, check) => {
      const person = checkPerson(check, '', input);
      check.done();
      return insertRow(em, PersonEntity, {
        givenName: person.givenName,
        familyName: person.familyName,
        dateOfBirth: person.dateOfBirth ?? null,
      });
    }),

  openCase: (_: unknown, { input }: { input: OpenCaseInput }, ctx: Ctx) =>
    inTransaction(ctx, async (em, check) => {
      const docketNumber = check.text('docketNumber', input.docketNumber, {
        max: 40,
        pattern: DOCKET_PATTERN,
        patternHint: 'letters, year and number, e.g. DV-2026-000123',
      });
      const courtName = check.text('courtName', input.courtName, { max: 200 });
      check.notInFuture('filedDate', input.filedDate);
      if (input.parties.length < 2) check.fail('parties', 'must name at least the protected and the accused party');
      const allowedRoles = ROLES_BY_CASE_TYPE[input.caseType];
      const newPeople = new Map<number, PersonInput>();
      for (const [i, party] of input.parties.entries()) {
        const at = `parties[${i}]`;
        if (Boolean(party.personId) === Boolean(party.newPerson)) {
          check.fail(at, 'must give exactly one of personId and newPerson');
        } else if (party.newPerson) {
          newPeople.set(i, checkPerson(check, `${at}.newPerson`, party.newPerson));
        } else {
          await requireExisting(check, `${at}.personId`, check.id(`${at}.personId`, party.personId), 'person', byId(em, PersonEntity));
        }
        if (allowedRoles && !allowedRoles.has(party.role)) {
          check.fail(`${at}.role`, `must be one of ${[...allowedRoles].join(', ')} in a ${input.caseType} case`);
        }
      }
      const roles = input.parties.map((p) => p.role);
      if (!roles.some((r) => PROTECTED_ROLES.has(r))) check.fail('parties', 'must include the victim or petitioner');
      if (!roles.some((r) => ACCUSED_ROLES.has(r))) check.fail('parties', 'must include the defendant or respondent');
      if (docketNumber && (await em.findOneBy(CaseEntity, { docketNumber }))) {
        check.fail('docketNumber', DOCKET_USED);
      }
      check.done();

      const courtCase: CourtCase = await insertRow(em, CaseEntity, {
        docketNumber: docketNumber!,
        caseType: input.caseType,
        status: 'OPEN',
        courtName: courtName!,
        filedDate: input.filedDate,
        dispositionDate: null,
      });
      for (const [i, party] of input.parties.entries()) {
        const newPerson = newPeople.get(i);
        const personId = newPerson
          ? (await insertRow(em, PersonEntity, {
              givenName: newPerson.givenName,
              familyName: newPerson.familyName,
              dateOfBirth: newPerson.dateOfBirth ?? null,
            })).id
          : party.personId!;
        await insertRow(em, CasePartyEntity, { caseId: courtCase.id, personId, role: party.role });
      }
      return courtCase;
    }),

  scheduleHearing: (
    _: unknown,
    { input }: { input: { caseId: string; hearingType: string; scheduledAt: Date; courtroom?: string | null } },
    ctx: Ctx,
  ) =>
    inTransaction(ctx, async (em, check) => {
      await findCase(em, check, check.id('caseId', input.caseId));
      const courtroom = check.text('courtroom', input.courtroom, { required: false, max: 50 });
      check.done();
      return insertRow(em, HearingEntity, {
        caseId: input.caseId,
        hearingType: input.hearingType,
        scheduledAt: input.scheduledAt,
        courtroom,
        outcome: null,
      });
    }),

  issueProtectiveOrder: (
    _: unknown,
    {
      input,
    }: {
      input: {
        caseId: string;
        kind: string;
        protectedPersonId: string;
        restrainedPersonId: string;
        issuedDate: string;
        expiresDate?: string | null;
        noContact: boolean;
        stayAwayDistanceFeet?: number | null;
        firearmSurrender: boolean;
        vacateResidence: boolean;
        otherConditions?: string | null;
      };
    },
    ctx: Ctx,
  ) =>
    inTransaction(ctx, async (em, check) => {
      const caseId = check.id('caseId', input.caseId);
      const protectedId = check.id('protectedPersonId', input.protectedPersonId);
      const restrainedId = check.id('restrainedPersonId', input.restrainedPersonId);
      if (protectedId && protectedId === restrainedId) {
        check.fail('restrainedPersonId', 'must differ from protectedPersonId');
      }
      check.notInFuture('issuedDate', input.issuedDate);
      check.notBefore('expiresDate', input.expiresDate, 'issuedDate', input.issuedDate);
      if (input.kind === 'FINAL' && !input.expiresDate) check.fail('expiresDate', 'is required for a FINAL order');
      check.integer('stayAwayDistanceFeet', input.stayAwayDistanceFeet, { min: 1, max: 5280 });
      const otherConditions = check.text('otherConditions', input.otherConditions, { required: false, max: 2000 });
      await findCase(em, check, caseId);
      await requireParty(em, check, 'protectedPersonId', caseId, protectedId);
      await requireParty(em, check, 'restrainedPersonId', caseId, restrainedId);
      check.done();
      return insertRow(em, ProtectiveOrderEntity, {
        caseId: input.caseId,
        kind: input.kind,
        status: 'ACTIVE',
        protectedPersonId: input.protectedPersonId,
        restrainedPersonId: input.restrainedPersonId,
        issuedDate: input.issuedDate,
        expiresDate: input.expiresDate ?? null,
        noContact: input.noContact,
        stayAwayDistanceFeet: input.stayAwayDistanceFeet ?? null,
        firearmSurrender: input.firearmSurrender,
        vacateResidence: input.vacateResidence,
        otherConditions,
      });
    }),

  mandateProgram: (
    _: unknown,
    {
      input,
    }: {
      input: {
        caseId: string;
        personId: string;
        programType: string;
        providerAgency: string;
        orderedDate: string;
        dueDate: string;
        requiredSessions?: number | null;
      };
    },
    ctx: Ctx,
  ) =>
    inTransaction(ctx, async (em, check) => {
      const caseId = check.id('caseId', input.caseId);
      const personId = check.id('personId', input.personId);
      if (input.providerAgency === 'COURTS') check.fail('providerAgency', 'must be the agency that delivers the program, not the court');
      if (input.providerAgency === 'OUTCOMES') check.fail('providerAgency', 'must be an agency that delivers programs, not the outcomes service');
      check.notInFuture('orderedDate', input.orderedDate);
      check.notBefore('dueDate', input.dueDate, 'orderedDate', input.orderedDate);
      check.integer('requiredSessions', input.requiredSessions, { min: 1, max: 104 });
      await findCase(em, check, caseId);
      await requireParty(em, check, 'personId', caseId, personId);
      check.done();
      return insertRow(em, ProgramMandateEntity, {
        caseId: input.caseId,
        personId: input.personId,
        programType: input.programType,
        providerAgency: input.providerAgency,
        orderedDate: input.orderedDate,
        dueDate: input.dueDate,
        requiredSessions: input.requiredSessions ?? null,
        status: 'ORDERED',
      });
    }),

  updateMandateStatus: (_: unknown, { input }: { input: { mandateId: string; status: string } }, ctx: Ctx) =>
    inTransaction(ctx, async (em, check) => {
      const mandate = await requireExisting(
        check,
        'mandateId',
        check.id('mandateId', input.mandateId),
        'program mandate',
        byId(em, ProgramMandateEntity),
      );
      check.done();
      await em.update(ProgramMandateEntity, { id: input.mandateId }, { status: input.status });
      return { ...mandate!, status: input.status };
    }),

  referToService: (
    _: unknown,
    {
      input,
    }: { input: { caseId: string; personId: string; serviceType: string; toAgency: string; referredDate: string } },
    ctx: Ctx,
  ) =>
    inTransaction(ctx, async (em, check) => {
      const caseId = check.id('caseId', input.caseId);
      const personId = check.id('personId', input.personId);
      if (input.toAgency === 'COURTS') check.fail('toAgency', 'must be another agency');
      if (input.toAgency === 'OUTCOMES') check.fail('toAgency', 'must be an agency that serves people, not the outcomes service');
      check.notInFuture('referredDate', input.referredDate);
      await findCase(em, check, caseId);
      await requireParty(em, check, 'personId', caseId, personId);
      check.done();
      return insertRow(em, ReferralEntity, {
        caseId: input.caseId,
        personId: input.personId,
        serviceType: input.serviceType,
        toAgency: input.toAgency,
        referredDate: input.referredDate,
        status: 'SENT',
      });
    }),

  recordViolation: (
    _: unknown,
    {
      input,
    }: {
      input: {
        caseId: string;
        personId: string;
        violationType: string;
        reportedBy: string;
        probationReportId?: string | null;
        occurredDate: string;
        description: string;
        finding?: string | null;
      };
    },
    ctx: Ctx,
  ) =>
    inTransaction(ctx, async (em, check) => {
      const caseId = check.id('caseId', input.caseId);
      const personId = check.id('personId', input.personId);
      check.id('probationReportId', input.probationReportId, false);
      if (input.reportedBy === 'OUTCOMES') check.fail('reportedBy', 'must be an agency that observes violations, not the outcomes service');
      if (input.probationReportId && input.reportedBy !== 'PROBATION') {
        check.fail('probationReportId', 'may only be given when reportedBy is PROBATION');
      }
      check.notInFuture('occurredDate', input.occurredDate);
      const description = check.text('description', input.description, { max: 4000 });
      await findCase(em, check, caseId);
      await requireParty(em, check, 'personId', caseId, personId);
      check.done();
      return insertRow(em, ViolationEntity, {
        caseId: input.caseId,
        personId: input.personId,
        violationType: input.violationType,
        reportedBy: input.reportedBy,
        probationReportId: input.probationReportId ?? null,
        occurredDate: input.occurredDate,
        description: description!,
        finding: input.finding ?? 'PENDING',
      });
    }),

  imposeSanction: (
    _: unknown,
    { input }: { input: { violationId: string; sanctionType: string; imposedDate: string; description: string } },
    ctx: Ctx,
  ) =>
    inTransaction(ctx, async (em, check) => {
      const violation = await requireExisting(
        check,
        'violationId',
        check.id('violationId', input.violationId),
        'violation',
        byId(em, ViolationEntity),
      );
      if (violation && violation.finding === 'NOT_SUSTAINED') {
        check.fail('violationId', 'names a violation found not sustained');
      }
      check.notInFuture('imposedDate', input.imposedDate);
      check.notBefore('imposedDate', input.imposedDate, 'violation.occurredDate', violation?.occurredDate);
      const description = check.text('description', input.description, { max: 2000 });
      check.done();
      if (violation!.finding === 'PENDING') {
        await em.update(ViolationEntity, { id: violation!.id }, { finding: 'SUSTAINED' });
      }
      return insertRow(em, SanctionEntity, {
        caseId: violation!.caseId,
        violationId: violation!.id,
        sanctionType: input.sanctionType,
        imposedDate: input.imposedDate,
        description: description!,
      });
    }),
};
