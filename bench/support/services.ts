/**
 * What the benchmarks that run each service in its own process share: starting a service
 * (bench/support/service-process.ts, under tsx or compiled), waiting for it, asking its memory,
 * reading its CPU time from /proc, and posting a GraphQL request.
 */
import { ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export { ROOT } from '../../lib/paths';
import { ROOT } from '../../lib/paths';

export interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
}

export interface Service {
  name: string;
  url: string;
  child: ChildProcess;
}

/**
 * Runs `main` (a path from the repository root, e.g. `gateway/main.ts`) in its own process. A
 * `.js` main runs on plain node (compiled, dist/); a `.ts` main under tsx.
 */
export function startService(name: string, main: string, env: NodeJS.ProcessEnv, url: string, args: string[] = [], execArgv: string[] = []): Service {
  const compiled = main.endsWith('.js');
  const runner = compiled ? path.join(ROOT, 'dist', 'bench', 'support', 'service-process.js') : path.join(__dirname, 'service-process.ts');
  const child = fork(runner, [path.join(ROOT, main), ...args], {
    execArgv: [...(compiled ? [] : ['--import', 'tsx']), ...execArgv],
    env: { ...env, LOG_LEVEL: env.LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return { name, url, child };
}

export function memoryOf(service: Service): Promise<Memory> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${service.name} did not report its memory`)), 10_000);
    service.child.once('message', (m) => {
      clearTimeout(timer);
      resolve(m as Memory);
    });
    service.child.send('memory');
  });
}

/** Waits until `probe` (default: GET /health) answers OK, or the service exits. */
export async function waitHealthy(service: Service, probe: () => Promise<Response> = () => fetch(service.url.replace('/graphql', '/health'))): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) throw new Error(`${service.name} exited with ${service.child.exitCode}`);
    try {
      const response = await probe();
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${service.name} did not become healthy`);
}

/** CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat. */
export function processCpuMs(pid: number): number {
  const { user, system } = processCpuSplitMs(pid);
  return user + system;
}

/** CPU time a process has used so far in user space and in the kernel (system calls), in ms. */
export function processCpuSplitMs(pid: number): { user: number; system: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), from field 3 on: utime is 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: (Number(fields[11]) * 1000) / CLOCK_TICKS, system: (Number(fields[12]) * 1000) / CLOCK_TICKS };
}

/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;

/** Resident set size of a process, in bytes, from /proc/<pid>/status. */
export function processRss(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

export async function post(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ ms: number; status: number; code: string; body: { data?: unknown; errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[] } }> {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Awaited<ReturnType<typeof post>>['body'];
  return { ms: performance.now() - started, status: response.status, code: (body.errors?.[0]?.extensions?.code as string) ?? '-', body };
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
export const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
