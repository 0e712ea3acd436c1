/**
 * Consent records, kept by the data owner: whose data, to which agency, for which purposes,
 * which data, signed when, until when (date or event), revoked when, and for treatment of
 * criminal-justice-referred patients (42 CFR 2.35) until when it is irrevocable.
 */
import DataLoader from 'dataloader';
import { queryWithin } from '../query-cancellation';
import { RequestBatches } from '../loaders';
import { DataSource, EntitySchema, MigrationInterface, QueryRunner } from 'typeorm';
import { ServiceName } from '../config';
import { createdAt, date, primaryId, selectColumns, text, textArray, timestamp, uuid } from '../entity';
import { coordinateMatches } from './classification';

export interface ConsentRecord {
  id: string;
  personId: string;
  /** Who discloses (the program or office), as the consent names it. */
  discloser: string;
  recipientAgency: string;
  purposes: string[];
  /** Coordinates (or Type.*) the consent covers. */
  data: string[];
  signedBy: string;
  signedDate: string;
  expiresOn: string;
  expiryEvent: string | null;
  revokedAt: Date | null;
  irrevocableUntil: string | null;
  legalBasis: string;
  createdAt?: Date;
}

export const ConsentEntity = new EntitySchema<ConsentRecord>({
  name: 'ConsentRecord',
  tableName: 'consent',
  columns: {
    id: primaryId(),
    personId: uuid('person_id'),
    discloser: text('discloser'),
    recipientAgency: text('recipient_agency'),
    purposes: textArray('purposes'),
    data: textArray('data'),
    signedBy: text('signed_by'),
    signedDate: date('signed_date'),
    expiresOn: date('expires_on'),
    expiryEvent: text('expiry_event', true),
    revokedAt: timestamp('revoked_at', true),
    irrevocableUntil: date('irrevocable_until', true),
    legalBasis: text('legal_basis'),
    createdAt: createdAt(),
  },
});

/** The consents on file for each person, to one recipient agency: one query per batch. */
export function consentLoader(batches: RequestBatches, db: DataSource, recipient: ServiceName): DataLoader<string, ConsentRecord[]> {
  const columns = selectColumns(db, ConsentEntity);
  const sql = `SELECT ${columns} FROM consent WHERE recipient_agency = $1 AND person_id = ANY($2::uuid[]) ORDER BY signed_date DESC, id`;
  return batches.loader(async (personIds: readonly string[]) => {
    const rows: ConsentRecord[] = await queryWithin(db, sql, [recipient, [...new Set(personIds)]], batches.deadline);
    return personIds.map((id) => rows.filter((r) => r.personId === id));
  });
}

export type ConsentOutcome =
  | { ok: true; consent: ConsentRecord }
  | { ok: false; reason: 'CONSENT_MISSING' | 'CONSENT_EXPIRED' | 'CONSENT_REVOKED' };

/**
 * Whether one of `consents` is in force today for `purpose` and covers `coordinate` (or, with a
 * `Type.*` coordinate, any field of the type). The reason given when none is, is the most telling.
 */
export function consentInForce(
  consents: ConsentRecord[],
  purpose: string,
  coordinate: string,
  today: string,
  now = new Date(),
): ConsentOutcome {
  const covering = consents.filter(
    (c) =>
      c.purposes.includes(purpose) &&
      c.data.some((d) => d === '*' || coordinateMatches(d, coordinate) || coordinateMatches(coordinate, d)),
  );
  const usable = covering.filter((c) => c.signedDate <= today);
  const active = usable.find(
    (c) => (c.revokedAt === null || new Date(c.revokedAt) > now) && c.expiresOn >= today,
  );
  if (active) return { ok: true, consent: active };
  if (usable.some((c) => c.revokedAt !== null && new Date(c.revokedAt) <= now)) return { ok: false, reason: 'CONSENT_REVOKED' };
  if (usable.some((c) => c.expiresOn < today)) return { ok: false, reason: 'CONSENT_EXPIRED' };
  return { ok: false, reason: 'CONSENT_MISSING' };
}

/** The same migration in every agency's database: consents are kept by the data owner. */
export class CreateConsent1764100000001 implements MigrationInterface {
  name = 'CreateConsent1764100000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE consent (
        id uuid PRIMARY KEY,
        person_id uuid NOT NULL,
        discloser text NOT NULL,
        recipient_agency text NOT NULL,
        purposes text[] NOT NULL CHECK (cardinality(purposes) > 0),
        data text[] NOT NULL CHECK (cardinality(data) > 0),
        signed_by text NOT NULL,
        signed_date date NOT NULL,
        expires_on date NOT NULL CHECK (expires_on >= signed_date),
        expiry_event text,
        revoked_at timestamptz,
        irrevocable_until date,
        legal_basis text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX consent_person_recipient ON consent (person_id, recipient_agency);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE consent');
  }
}
