/**
 * A subgraph run as its own process (`node --import tsx subgraphs/<agency>/main.ts`), as in
 * production, so that a test can measure its CPU (/proc/<pid>/stat) and send it signals.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { AgencyName, envPrefix } from '../../lib/config';

export interface ChildSubgraph {
  url: string;
  pid: number;
  process: ChildProcess;
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number | null>;
  output(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startChildSubgraph(agency: AgencyName, databaseUrl: string, env: Record<string, string> = {}): Promise<ChildSubgraph> {
  const port = await freePort();
  const root = path.join(__dirname, '..', '..');
  const child = spawn(process.execPath, ['--import', 'tsx', `subgraphs/${agency}/main.ts`], {
    cwd: root,
    env: {
      ...process.env,
      [`${envPrefix(agency)}_DATABASE_URL`]: databaseUrl,
      [`${envPrefix(agency)}_PORT`]: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}/graphql`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the ${agency} subgraph exited: ${output}`);
    try {
      const response = await fetch(url.replace('/graphql', '/ready'));
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > 60_000) throw new Error(`the ${agency} subgraph did not become ready: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    pid: child.pid!,
    process: child,
    exited,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** CPU time (user + system, ms) the process has used, from /proc/<pid>/stat. */
export function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15, in clock ticks (100 per second).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export function cpuMeasurable(): boolean {
  return fs.existsSync(`/proc/${process.pid}/stat`);
}
