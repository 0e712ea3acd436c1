/**
 * The embedded default database: one PGlite (PostgreSQL compiled to WebAssembly) per agency,
 * each served over the PostgreSQL wire protocol on a loopback port, so that `pg` and TypeORM run
 * exactly the code they run against a real server. Used when no database is configured.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { AGENCIES, AgencyName } from './config';

/** Connections each embedded server accepts; PGlite runs their statements one at a time. */
export const EMBEDDED_MAX_CONNECTIONS = 16;
/** Pool size a data source should use against the embedded server. */
export const EMBEDDED_POOL_SIZE = 4;

export interface EmbeddedPostgres {
  urls: Record<AgencyName, string>;
  stop(): Promise<void>;
}

/**
 * Starts one embedded PostgreSQL per agency under `directory` (created when missing; data kept
 * between runs). Pass `directory: undefined` for throwaway in-memory databases.
 */
export async function startEmbeddedPostgres(directory?: string): Promise<EmbeddedPostgres> {
  const started: { db: PGlite; server: PGLiteSocketServer }[] = [];
  const urls = {} as Record<AgencyName, string>;
  try {
    await Promise.all(
      AGENCIES.map(async (agency) => {
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
    throw error;
  }
  return { urls, stop: () => stopAll(started) };
}

async function stopAll(started: { db: PGlite; server: PGLiteSocketServer }[]): Promise<void> {
  await Promise.all(
    started.map(async ({ db, server }) => {
      await server.stop().catch(() => undefined);
      await db.close().catch(() => undefined);
    }),
  );
}
