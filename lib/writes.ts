/**
 * Mutations run their checks and their inserts in one transaction: a refused input writes
 * nothing, and a multi-row write lands whole or not at all. With an Idempotency-Key, the key is
 * claimed and the answer stored in that same transaction (lib/idempotency.ts).
 */
import { randomUUID } from 'node:crypto';
import { EntityManager, EntitySchema } from 'typeorm';
import { SubgraphContext } from './subgraph';
import { InputCheck, InputProblem, badUserInput, pgErrorCode } from './validation';
import { claimKey, idempotencyScopeOf, storeResult } from './idempotency';

/** What a unique constraint's violation means, by constraint name (`field` relative to `input`). */
const UNIQUE_CONSTRAINTS = new Map<string, InputProblem>();

/** Names the input field a unique constraint guards, for the error a concurrent duplicate gets. */
export function describeUniqueConstraint(constraint: string, field: string, message: string): void {
  UNIQUE_CONSTRAINTS.set(constraint, { field, message });
}

function constraintOf(error: unknown): string | undefined {
  const e = error as { constraint?: unknown; driverError?: { constraint?: unknown } };
  const name = e?.driverError?.constraint ?? e?.constraint;
  return typeof name === 'string' ? name : undefined;
}

export function inTransaction<T>(
  ctx: SubgraphContext<unknown>,
  work: (em: EntityManager, check: InputCheck) => Promise<T>,
): Promise<T> {
  const scope = idempotencyScopeOf(ctx);
  return ctx.db.transaction(async (em) => {
    try {
      if (scope) {
        const stored = await claimKey(em, ctx.caller, scope);
        if (stored) return stored.replay as T;
      }
      const result = await work(em, new InputCheck('input', ctx.policy.today));
      if (scope) await storeResult(em, ctx.caller, scope, result);
      return result;
    } catch (error) {
      // A concurrent writer got the same unique value between our check and our insert.
      if (pgErrorCode(error) === '23505') {
        const known = UNIQUE_CONSTRAINTS.get(constraintOf(error) ?? '');
        throw badUserInput([known ? { field: `input.${known.field}`, message: known.message } : { field: 'input', message: 'conflicts with a record that already exists' }]);
      }
      throw error;
    }
  });
}

/** Inserts one row with a fresh id and returns it as stored. */
export async function insertRow<T extends { id: string }>(
  em: EntityManager,
  entity: EntitySchema<T>,
  values: Omit<T, 'id'>,
): Promise<T> {
  const row = { id: randomUUID(), ...values } as T;
  await em.insert(entity, row as any);
  return row;
}

/**
 * Updates the row only while it still matches `criteria` (e.g. not yet ended): the check the
 * mutation made before is then settled by the database, and a concurrent writer who got there
 * first leaves this one with `problem` (field relative to `input`) and nothing written.
 */
export async function updateIfStill<T>(
  em: EntityManager,
  entity: EntitySchema<T>,
  criteria: Record<string, unknown>,
  changes: Partial<T>,
  problem: InputProblem,
): Promise<void> {
  const { affected } = await em.update(entity, criteria as any, changes as any);
  if (affected === 0) throw badUserInput([{ field: `input.${problem.field}`, message: problem.message }]);
}

/** `findOneBy({ id })` for the `requireExisting` checks. */
export function byId<T>(em: EntityManager, entity: EntitySchema<T>) {
  return (id: string) => em.findOneBy(entity, { id } as any) as Promise<T | null>;
}
