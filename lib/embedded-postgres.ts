/**
 * The embedded default database: one PGlite (PostgreSQL compiled to WebAssembly) per agency,
 * each served over the PostgreSQL wire protocol on a loopback port, so that `pg` and TypeORM run
 * exactly the code they run against a real server. Used when no database is configured.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { SERVICES, ServiceName } from './config';

/** Connections each embedded server accepts; PGlite runs their statements one at a time. */
export const EMBEDDED_MAX_CONNECTIONS = 16;
/**
 * Pool size a data source should use against the embedded server: one. pglite-socket queues the
 * protocol messages of its connections one message at a time, so outside a transaction the
 * Parse/Bind/Execute of two connections' parameterized statements can interleave on PGlite's one
 * backend ("portal \"\" cannot be run" — seen when an access-log insert met a concurrent write).
 * One connection per data source keeps each statement's messages together; PGlite runs one
 * statement at a time anyway. (No code path waits on the pool inside a transaction: writes use
 * the transaction's own manager.)
 */
export const EMBEDDED_POOL_SIZE = 1;

export interface EmbeddedPostgres {
  urls: Record<ServiceName, string>;
  stop(): Promise<void>;
}

/**
 * Starts one embedded PostgreSQL per agency under `directory` (created when missing; data kept
 * between runs). Pass `directory: undefined` for throwaway in-memory databases.
 */
export async function startEmbeddedPostgres(directory?: string): Promise<EmbeddedPostgres> {
  const releaseLock = directory ? lockDirectory(directory) : () => undefined;
  const started: { db: PGlite; server: PGLiteSocketServer }[] = [];
  const urls = {} as Record<ServiceName, string>;
  try {
    await Promise.all(
      SERVICES.map(async (agency) => {
        let dataDir: string | undefined;
        if (directory) {
          dataDir = path.join(directory, agency);
          fs.mkdirSync(dataDir, { recursive: true });
        }
        const db = await PGlite.create(dataDir ? { dataDir } : {});
        const server = new PGLiteSocketServer({
          db,
          host: '127.0.0.1',
          port: 0,
          maxConnections: EMBEDDED_MAX_CONNECTIONS,
        });
        started.push({ db, server });
        await server.start();
        urls[agency] = `postgres://postgres@${server.getServerConn()}/postgres`;
      }),
    );
  } catch (error) {
    await stopAll(started);
    releaseLock();
    throw error;
  }
  return {
    urls,
    stop: async () => {
      await stopAll(started);
      releaseLock();
    },
  };
}

/**
 * PGlite's files may be opened by one process only: a second one would corrupt them. The lock
 * file names the process holding them; a stale lock (that process is gone) is taken over.
 */
function lockDirectory(directory: string): () => void {
  fs.mkdirSync(directory, { recursive: true });
  const lockFile = path.join(directory, 'LOCK');
  const holder = fs.existsSync(lockFile) ? Number(fs.readFileSync(lockFile, 'utf8')) : NaN;
  if (Number.isInteger(holder) && holder !== process.pid && processAlive(holder)) {
    throw new Error(
      `the embedded database in ${directory} is in use by process ${holder} (is \`npm start\` running?); stop it first`,
    );
  }
  fs.writeFileSync(lockFile, String(process.pid));
  return () => fs.rmSync(lockFile, { force: true });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function stopAll(started: { db: PGlite; server: PGLiteSocketServer }[]): Promise<void> {
  await Promise.all(
    started.map(async ({ db, server }) => {
      await server.stop().catch(() => undefined);
      await db.close().catch(() => undefined);
    }),
  );
}
