/**
 * Mutations run their checks and their inserts in one transaction: a refused input writes
 * nothing, and a multi-row write lands whole or not at all.
 */
import { randomUUID } from 'node:crypto';
import { EntityManager, EntitySchema } from 'typeorm';
import { SubgraphContext } from './subgraph';
import { InputCheck, badUserInput, pgErrorCode } from './validation';

export function inTransaction<T>(
  ctx: SubgraphContext<unknown>,
  work: (em: EntityManager, check: InputCheck) => Promise<T>,
): Promise<T> {
  return ctx.db.transaction(async (em) => {
    try {
      return await work(em, new InputCheck('input', ctx.policy.today));
    } catch (error) {
      // A concurrent writer got the same unique value between our check and our insert.
      if (pgErrorCode(error) === '23505') {
        throw badUserInput([{ field: 'input', message: 'conflicts with a record that already exists' }]);
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

/** `findOneBy({ id })` for the `requireExisting` checks. */
export function byId<T>(em: EntityManager, entity: EntitySchema<T>) {
  return (id: string) => em.findOneBy(entity, { id } as any) as Promise<T | null>;
}
