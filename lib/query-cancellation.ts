/**
 * Statements of a stopped request are cancelled. node-postgres has no cancel API for a running
 * query, so `queryWithin` (used by the loaders, which issue a request's reads) runs a statement
 * on a connection it holds and, when the request stops while the statement runs, asks the server
 * to cancel it with `pg_cancel_backend(pid)` from a separate short-lived connection. It keeps the
 * connection until that call has returned, so the cancel can only reach this statement, never
 * the next user of the pooled connection (a cancel that reaches an idle backend is ignored).
 * A statement of a request already stopped is not sent at all. `statement_timeout` on every
 * connection (STATEMENT_TIMEOUT_MS) is the backstop for the statements sent elsewhere (root
 * fields, writes, the disclosure log).
 *
 * The embedded database (PGlite) runs one statement at a time, ignores `statement_timeout` and
 * serves `pg_cancel_backend` only after the running statement has ended, so there (the data
 * source is opened with `cancelStatements: false`) only the refusal of new statements applies.
 *
 * (The request is passed explicitly rather than found through AsyncLocalStorage: on Node 20 that
 * turns on promise hooks for every promise of the process, which cost ~30% of a subgraph's
 * resolving throughput here.)
 */
import pg from 'pg';
import { DataSource } from 'typeorm';
import { logger } from './logger';
import { ABANDONED, RequestDeadline } from './request-deadline';

const cancellable = new WeakSet<DataSource>();

/** Marks a data source whose running statements may be cancelled (real PostgreSQL). */
export function enableStatementCancellation(db: DataSource): void {
  cancellable.add(db);
}

async function cancelBackend(client: pg.Client): Promise<void> {
  const { processID, connectionParameters } = client as unknown as { processID: number | null; connectionParameters: pg.ClientConfig };
  if (!processID) return;
  const canceller = new pg.Client({ ...connectionParameters, statement_timeout: undefined, application_name: 'dv-case-graph-cancel' });
  try {
    await canceller.connect();
    await canceller.query('SELECT pg_cancel_backend($1)', [processID]);
  } catch (error) {
    logger.warn({ err: error, pid: processID }, 'could not cancel a statement of a stopped request');
  } finally {
    await canceller.end().catch(() => undefined);
  }
}

/**
 * `db.query(sql, parameters)` for a request: not sent once the request is stopped, cancelled if
 * it stops meanwhile. A stopped request's statement answers `ABANDONED` (its execution is dropped).
 */
export async function queryWithin<T>(db: DataSource, sql: string, parameters: unknown[], deadline: RequestDeadline | undefined): Promise<T> {
  if (!deadline) return db.query(sql, parameters);
  if (deadline.stopped) return ABANDONED;
  if (!cancellable.has(db)) return db.query(sql, parameters);
  const runner = db.createQueryRunner();
  try {
    const client = (await runner.connect()) as pg.Client;
    if (deadline.stopped) return ABANDONED;
    let cancelling: Promise<void> | undefined;
    const onStop = () => {
      cancelling = cancelBackend(client);
    };
    deadline.signal.addEventListener('abort', onStop, { once: true });
    try {
      return await runner.query(sql, parameters);
    } catch (error) {
      if (deadline.stopped) return ABANDONED;
      throw error;
    } finally {
      deadline.signal.removeEventListener('abort', onStop);
      if (cancelling) await cancelling;
    }
  } finally {
    await runner.release();
  }
}
