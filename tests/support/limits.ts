/**
 * Operation limits lifted, for tests whose subject is what happens to a query the limits would
 * refuse (a deadline that stops heavy work, a drain that waits for it): the work has to reach the
 * resolvers for the guard under test to be exercised. (A cost of a 24-level fan-out is far past
 * 2^53, so the lifted values are 10^100.) tests/abuse-limits.test.ts keeps the limits.
 */
import { OPERATION_LIMIT_VARIABLES } from '../../lib/config';

export const LIFTED_OPERATION_LIMITS: Record<string, string> = Object.fromEntries(
  Object.values(OPERATION_LIMIT_VARIABLES).map(({ variable }) => [variable, '1' + '0'.repeat(100)]),
);

/** Sets the lifted limits in this process's environment; returns what restores the previous values. */
export function liftOperationLimits(): () => void {
  const saved = Object.fromEntries(Object.keys(LIFTED_OPERATION_LIMITS).map((k) => [k, process.env[k]]));
  Object.assign(process.env, LIFTED_OPERATION_LIMITS);
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
