/**
 * Resolvers every data owner shares: recording and revoking consents, and the accounting of
 * disclosures (HIPAA: date, recipient, what, purpose) for a person over a period.
 */
import { selectColumns } from '../entity';
import { randomUUID } from 'node:crypto';
import { GraphQLSchema } from 'graphql';
import { SubgraphContext } from '../subgraph';
import { InputCheck, requireExisting } from '../validation';
import { byId, inTransaction } from '../writes';
import { DisclosureEntity, DisclosureRecord } from './audit';
import { AccessEntity } from './access-log';
import { coordinateMatches, coordinatesOf } from './classification';
import DataLoader from 'dataloader';
import { ConsentEntity, ConsentRecord, consentInForce, consentLoader } from './consent';

/** The consent as the owner records it (agency and purposes as GraphQL enum values). */
export type RecordConsentInput = Pick<
  ConsentRecord,
  'personId' | 'discloser' | 'recipientAgency' | 'purposes' | 'data' | 'signedBy' | 'signedDate' | 'expiresOn'
> &
  Partial<Pick<ConsentRecord, 'expiryEvent' | 'irrevocableUntil'>>;

const toAgency = (value: string) => value.toLowerCase();
const toPurpose = (value: string) => value.toLowerCase();

/** GraphQL's view of a consent row (enums upper-case). */
export function consentView(row: ConsentRecord) {
  return {
    ...row,
    recipientAgency: row.recipientAgency.toUpperCase(),
    purposes: row.purposes.map((p) => p.toUpperCase()),
    revoked: row.revokedAt !== null,
  };
}

export function consentMutations(owner: string, legalBasis: string, schema: () => GraphQLSchema, options: { irrevocable: boolean }) {
  let coordinates: string[] | undefined;
  return {
    record: (_: unknown, { input }: { input: RecordConsentInput }, ctx: SubgraphContext<unknown>) =>
      inTransaction(ctx, async (em, check) => {
        check.id('personId', input.personId);
        const discloser = check.text('discloser', input.discloser, { max: 200 });
        const signedBy = check.text('signedBy', input.signedBy, { max: 200 });
        if (toAgency(input.recipientAgency) === owner) check.fail('recipientAgency', 'must be another agency');
        if (input.purposes.length === 0) check.fail('purposes', 'must name at least one purpose');
        if (input.data.length === 0) check.fail('data', 'must name the data covered (Type.field or Type.*)');
        const known = (coordinates ??= coordinatesOf(schema()));
        input.data.forEach((d, i) => {
          if (!known.some((c) => coordinateMatches(d, c))) check.fail(`data[${i}]`, `names ${d}, which the ${owner} schema does not have`);
        });
        check.notInFuture('signedDate', input.signedDate);
        // An expiry event alone can't be checked by the graph, so a consent always carries a date too;
        // when the event comes first, the owner revokes the consent.
        check.text('expiryEvent', input.expiryEvent, { required: false, max: 500 });
        check.notBefore('expiresOn', input.expiresOn, 'signedDate', input.signedDate);
        if (input.irrevocableUntil) {
          if (!options.irrevocable) check.fail('irrevocableUntil', `is not allowed for ${owner} consents`);
          check.notBefore('irrevocableUntil', input.irrevocableUntil, 'signedDate', input.signedDate);
          if (input.expiresOn && input.irrevocableUntil > input.expiresOn) check.fail('irrevocableUntil', 'must not be after expiresOn');
        }
        check.done();
        const row: ConsentRecord = {
          id: randomUUID(),
          personId: input.personId,
          discloser: discloser!,
          recipientAgency: toAgency(input.recipientAgency),
          purposes: input.purposes.map(toPurpose),
          data: input.data,
          signedBy: signedBy!,
          signedDate: input.signedDate,
          expiresOn: input.expiresOn,
          expiryEvent: input.expiryEvent?.trim() || null,
          revokedAt: null,
          irrevocableUntil: input.irrevocableUntil ?? null,
          legalBasis,
        };
        await em.insert(ConsentEntity, row);
        return consentView(row);
      }),
    revoke: (_: unknown, { input }: { input: { consentId: string } }, ctx: SubgraphContext<unknown>) =>
      inTransaction(ctx, async (em, check) => {
        const consent = await requireExisting(check, 'consentId', check.id('consentId', input.consentId), 'consent', byId(em, ConsentEntity));
        if (consent?.revokedAt) check.fail('consentId', 'names a consent already revoked');
        if (consent?.irrevocableUntil && consent.irrevocableUntil >= ctx.policy.today) {
          check.fail('consentId', `names a consent irrevocable until ${consent.irrevocableUntil} (42 CFR 2.35)`);
        }
        check.done();
        const revokedAt = ctx.clock.now();
        await em.update(ConsentEntity, { id: consent!.id }, { revokedAt });
        return consentView({ ...consent!, revokedAt });
      }),
  };
}

type Period = { from: string; to: string };

/**
 * A person's rows of one of the agency's logs over a period. The period's days are days in the
 * policy time zone, whatever the database session's zone.
 */
function logRowsOf(table: 'disclosure_log' | 'access_log', entity: typeof DisclosureEntity) {
  return async (person: { id: string }, { from, to }: Period, ctx: SubgraphContext<unknown>): Promise<DisclosureRecord[]> => {
    const check = new InputCheck('');
    check.notBefore('to', to, 'from', from);
    check.done();
    const columns = selectColumns(ctx.db, entity);
    return ctx.batches.track<DisclosureRecord[]>(ctx.db.query(
      `SELECT ${columns} FROM ${table} WHERE person_id = $1
          AND at >= ($2::date::timestamp AT TIME ZONE $4) AND at < (($3::date + 1)::timestamp AT TIME ZONE $4) ORDER BY seq`,
      [person.id, from, to, ctx.clock.timeZone],
    ));
  };
}

/** Person.<agency>Disclosures(from, to): what this agency released about the person, and refused. */
export const disclosuresOf = logRowsOf('disclosure_log', DisclosureEntity);

export const disclosureResolvers = {
  recipientAgency: (d: DisclosureRecord) => d.callerAgency,
  recipientRole: (d: DisclosureRecord) => d.callerRole,
  recipientSubject: (d: DisclosureRecord) => d.callerSubject,
};

/** Person.<agency>Consents: every consent the person gave this agency (owner-only). */
export async function consentsOf(person: { id: string }, _: unknown, ctx: SubgraphContext<unknown>) {
  const rows = await ctx.batches.track(ctx.db.getRepository(ConsentEntity).find({ where: { personId: person.id }, order: { signedDate: 'DESC', id: 'ASC' } }));
  return rows.map(consentView);
}

export const consentTypeResolvers = {
  person: (c: ConsentRecord) => ({ id: c.personId }),
};

/** Person.<agency>Accesses(from, to): what this agency's own staff read of the person's sensitive records, and wrote. */
export const accessesOf = logRowsOf('access_log', AccessEntity);

export const accessResolvers = {
  subject: (d: DisclosureRecord) => d.callerSubject,
  role: (d: DisclosureRecord) => d.callerRole,
  grant: (d: DisclosureRecord) => d.agreementId,
};

/**
 * Person.<agency>ResearchConsent: whether a consent of the person's to releasing `coordinate` to the
 * outcomes service for research is in force today. The rules release it to the outcomes service
 * only under that consent; the owner's staff see true or false.
 */
export function researchConsentOf(coordinate: string) {
  const toOutcomes = new WeakMap<object, DataLoader<string, ConsentRecord[]>>();
  return async (person: { id: string }, _: unknown, ctx: SubgraphContext<unknown>): Promise<boolean> => {
    let loader = ctx.caller?.agency === 'outcomes' ? ctx.policy.consents : toOutcomes.get(ctx.batches);
    if (!loader) toOutcomes.set(ctx.batches, (loader = consentLoader(ctx.batches, ctx.db, 'outcomes')));
    return consentInForce(await loader.load(person.id), 'research', coordinate, ctx.policy.today, ctx.policy.now).ok;
  };
}
