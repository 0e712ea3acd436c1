/**
 * Statements of a stopped request are cancelled. node-postgres has no cancel API for a running
 * query, so the data sources' pools build their connections from `deadlineClient()`: a `pg`
 * client that, for a statement sent on behalf of a request (`requestScope`),
 *   - refuses to send it once the request is stopped (deadline passed, caller gone, cap passed);
 *   - when the request stops while it runs, asks the server to cancel it with
 *     `pg_cancel_backend(pid)` from a separate short-lived connection, and holds the connection
 *     (does not settle) until that call has returned, so the cancel can only hit this statement,
 *     never the next user of the pooled connection (a cancel reaching an idle backend is ignored).
 * Statements outside a request (migrations, seeding) are untouched. `statement_timeout` on every
 * connection (STATEMENT_TIMEOUT_MS) remains the backstop.
 *
 * The embedded database (PGlite) runs one statement at a time, ignores `statement_timeout` and
 * serves `pg_cancel_backend` only after the running statement ends, so there only the refusal of
 * new statements applies (`cancelRunning: false`): a statement already running runs to its end.
 */
import pg from 'pg';
import { logger } from './logger';
import { currentDeadline } from './request-deadline';

type AnyQuery = (...args: unknown[]) => unknown;

interface ClientInternals {
  processID: number | null;
  connectionParameters: pg.ClientConfig;
}

async function cancelBackend(client: pg.Client): Promise<void> {
  const { processID, connectionParameters } = client as unknown as ClientInternals;
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

/** The `pg` Client class a data source's pool should use (TypeORM `extra.Client`). */
export function deadlineClient(options: { cancelRunning: boolean }): typeof pg.Client {
  const { cancelRunning } = options;
  return class DeadlineClient extends pg.Client {
    override query(...args: unknown[]): any {
      const send = (pg.Client.prototype.query as AnyQuery).bind(this);
      const deadline = currentDeadline();
      const first = args[0] as { submit?: unknown } | undefined;
      // Callback style and submittables (streams) are not used by this code; pass them through.
      if (!deadline || typeof args[args.length - 1] === 'function' || typeof first?.submit === 'function') return send(...args);
      if (deadline.stopped) return Promise.reject(deadline.stopped);
      const running = send(...args) as Promise<unknown>;
      let cancelling: Promise<void> | undefined;
      const onStop = () => {
        if (cancelRunning) cancelling = cancelBackend(this);
      };
      deadline.signal.addEventListener('abort', onStop, { once: true });
      const settle = async () => {
        deadline.signal.removeEventListener('abort', onStop);
        if (cancelling) await cancelling;
      };
      return running.then(
        async (result) => {
          await settle();
          return result;
        },
        async (error: unknown) => {
          await settle();
          throw deadline.stopped ?? error;
        },
      );
    }
  } as typeof pg.Client;
}
