/**
 * Counts SQL statements at the driver: every `query` call on a `pg` client, by server and database.
 * TypeORM and the loaders all go through pg's Client, whatever the database.
 */
import { Client } from 'pg';

const counts = new Map<string, number>();
let installed = false;

export function installSqlCounter(): void {
  if (installed) return;
  installed = true;
  const original = Client.prototype.query as (...args: unknown[]) => unknown;
  (Client.prototype as unknown as { query: unknown }).query = function (this: Client, ...args: unknown[]) {
    const { host, port, database } = this as unknown as { host: string; port: number; database: string };
    const key = `${host}:${port}/${database}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    return original.apply(this, args);
  };
}

export function resetSqlCounts(): void {
  counts.clear();
}

export function sqlCounts(): Map<string, number> {
  return new Map(counts);
}

/** The key `sqlCounts` uses for the database at `url`. */
export function sqlCountKey(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || 5432}/${u.pathname.slice(1)}`;
}
