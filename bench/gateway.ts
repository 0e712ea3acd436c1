/**
 * npm run bench:gateway [-- --cases 2000 --rounds 6 --concurrency 4 --scale 1 --profile --tsx]
 *
 * This gateway against a stock configuration (bench/support/stock-gateway.ts: @apollo/gateway +
 * @apollo/server startStandaloneServer, a RemoteGraphQLDataSource forwarding Authorization), side
 * by side in one run, in front of the same four subgraphs. Every service is its own process on
 * real PostgreSQL (DATABASE_URL, required; DATABASE_PREFIX default `bench_gw_`; the databases are
 * created, migrated and seeded with --cases cases when they hold another number), NODE_ENV=production.
 *
 * First both gateways must return the same `data` for every operation and caller. Then rounds
 * interleave the gateways (the order alternates), each round sending every operation as a judge
 * and as a probation officer, with 128 rotating tokens per caller (and 128 rotating case ids for
 * WholeCase), --concurrency requests at a time. Printed per gateway: requests/s, p50/p99 latency,
 * gateway CPU ms per request (from /proc/<pid>/stat, the gateway process alone), peak RSS, and the
 * ratios this/stock. Operations: Caseload(first: 10/50/200) (schema/operations/Caseload.graphql)
 * and WholeCase (schema/operations/WholeCase.graphql).
 *
 * Services run compiled (dist/, `npm run build:server`, which the npm script runs first); --tsx
 * runs this gateway under tsx instead (as `npm run start:gateway` does). --profile writes a V8
 * CPU profile of this gateway's process to ./profiles/ (open it in Chrome DevTools).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AGENCIES, envPrefix } from '../lib/config';
import { openConfiguredDatabases } from '../lib/databases';
import { clearAll, countCases, seedDemoData } from '../lib/seed';
import { authSettings, signToken } from '../lib/auth/identity';
import { loadSigningKey, loadVerificationKeys } from '../lib/auth/keys';
import { ROOT, Service, freePort, mb, percentile, post, processCpuMs, processRss, startService, waitHealthy } from './support/services';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const flag = (name: string) => process.argv.includes(`--${name}`);

const CASES = arg('cases', 2000);
const ROUNDS = arg('rounds', 6);
const CONCURRENCY = arg('concurrency', 4);
const SCALE = arg('scale', 1);
const TOKENS = 128;

const read = (name: string) => fs.readFileSync(path.join(ROOT, 'schema', 'operations', name), 'utf8');
const CASELOAD = read('Caseload.graphql');
const WHOLE_CASE = read('WholeCase.graphql');

interface Operation {
  name: string;
  query: string;
  variables: (i: number) => Record<string, unknown>;
  /** Requests per gateway, caller and round. */
  perRound: number;
}

interface Caller {
  name: string;
  tokens: string[];
}

interface Sample {
  cpuMs: number;
  wallMs: number;
  requests: number;
  latencies: number[];
  rss: number;
}

async function main(): Promise<void> {
  if (!process.env.DATABASE_URL) {
    throw new Error('bench:gateway runs every service in its own process on real PostgreSQL: set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)');
  }
  const prefix = process.env.DATABASE_PREFIX ?? 'bench_gw_';
  Object.assign(process.env, { DATABASE_PREFIX: prefix });

  const opened = await openConfiguredDatabases();
  const present = await countCases(opened.databases);
  if (present !== CASES) {
    console.log(`${prefix}* holds ${present} cases; seeding ${CASES} ...`);
    await clearAll(opened.databases);
    await seedDemoData(opened.databases, { cases: CASES });
  }
  const caseIds = ((await opened.databases.courts.query(`SELECT id FROM court_case ORDER BY docket_number LIMIT ${TOKENS}`)) as { id: string }[]).map((r) => r.id);
  await opened.close();

  const key = await loadSigningKey();
  const settings = authSettings({ keys: [] });
  const sign = (agency: 'courts' | 'probation', role: string, purpose: 'judicial_review' | 'compliance_monitoring') =>
    Promise.all(Array.from({ length: TOKENS }, (_, i) => signToken({ agency, role, purpose, subject: `bench-${role}-${i}` }, key, settings)));
  const callers: Caller[] = [
    { name: 'judge', tokens: await sign('courts', 'judge', 'judicial_review') },
    { name: 'probation officer', tokens: await sign('probation', 'probation_officer', 'compliance_monitoring') },
  ];
  const operations: Operation[] = [
    { name: 'Caseload(10)', query: CASELOAD, variables: () => ({ first: 10 }), perRound: Math.max(1, Math.round(24 * SCALE)) },
    { name: 'Caseload(50)', query: CASELOAD, variables: () => ({ first: 50 }), perRound: Math.max(1, Math.round(8 * SCALE)) },
    { name: 'Caseload(200)', query: CASELOAD, variables: () => ({ first: 200 }), perRound: Math.max(1, Math.round(2 * SCALE)) },
    { name: 'WholeCase', query: WHOLE_CASE, variables: (i) => ({ id: caseIds[i % caseIds.length] }), perRound: Math.max(1, Math.round(48 * SCALE)) },
  ];

  const ports = Object.fromEntries(await Promise.all(AGENCIES.map(async (a) => [a, await freePort()] as const)));
  // Production refuses the development key file: the services get the public keys themselves.
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', DATABASE_PREFIX: prefix, JWT_PUBLIC_JWKS: JSON.stringify(await loadVerificationKeys()) };
  for (const a of AGENCIES) {
    env[`${envPrefix(a)}_PORT`] = String(ports[a]);
    env[`${envPrefix(a)}_URL`] = `http://127.0.0.1:${ports[a]}/graphql`;
  }
  const [oursPort, stockPort] = [await freePort(), await freePort()];
  const compiled = (main: string) => `dist/${main.replace(/\.ts$/, '.js')}`;
  const subgraphs = AGENCIES.map((a) => startService(a, compiled(`subgraphs/${a}/main.ts`), env, env[`${envPrefix(a)}_URL`]!));
  fs.mkdirSync(path.join(ROOT, 'profiles'), { recursive: true });
  const ours = startService(
    'this gateway',
    flag('tsx') ? 'gateway/main.ts' : compiled('gateway/main.ts'),
    { ...env, GATEWAY_PORT: String(oursPort), BIND_HOST: '127.0.0.1' },
    `http://127.0.0.1:${oursPort}/graphql`,
    [],
    flag('profile') ? ['--cpu-prof', `--cpu-prof-dir=${path.join(ROOT, 'profiles')}`] : [],
  );
  const stock = startService('stock', compiled('bench/support/stock-gateway.ts'), env, `http://127.0.0.1:${stockPort}/graphql`, [String(stockPort)]);
  const gateways = [ours, stock];
  const services = [...gateways, ...subgraphs];
  try {
    await Promise.all(subgraphs.map((s) => waitHealthy(s)));
    await waitHealthy(ours);
    await waitHealthy(stock, () =>
      fetch(stock.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) }),
    );

    // 1. The same data from both.
    for (const op of operations) {
      for (const caller of callers) {
        const [a, b] = await Promise.all(gateways.map((g) => post(g.url, caller.tokens[0], op.query, op.variables(0))));
        const same = JSON.stringify(a.body.data) === JSON.stringify(b.body.data);
        const size = JSON.stringify(a.body).length;
        console.log(
          `${op.name.padEnd(14)} ${caller.name.padEnd(18)} same data: ${same ? 'yes' : 'NO'}; errors ${a.body.errors?.length ?? 0} / ${b.body.errors?.length ?? 0}; ` +
            `response ${(size / 1024).toFixed(0)} KB`,
        );
        if (!same || !a.body.data) throw new Error(`${op.name} as ${caller.name}: the gateways return different data`);
      }
    }

    // 2. Interleaved rounds (the first is a warm-up, not counted).
    const samples = new Map<string, Sample>();
    let next = 0;
    const batch = async (gateway: Service, op: Operation, caller: Caller, count: number, key: string | undefined) => {
      const latencies: number[] = [];
      let sent = 0;
      const cpu0 = processCpuMs(gateway.child.pid!);
      const started = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (sent < count) {
            sent++;
            const i = next++;
            const r = await post(gateway.url, caller.tokens[i % TOKENS], op.query, op.variables(i));
            if (r.status !== 200 || !r.body.data) throw new Error(`${gateway.name} ${op.name}: HTTP ${r.status} ${r.code}`);
            latencies.push(r.ms);
          }
        }),
      );
      const wallMs = performance.now() - started;
      const cpuMs = processCpuMs(gateway.child.pid!) - cpu0;
      if (!key) return;
      const s = samples.get(key) ?? { cpuMs: 0, wallMs: 0, requests: 0, latencies: [], rss: 0 };
      s.cpuMs += cpuMs;
      s.wallMs += wallMs;
      s.requests += count;
      s.latencies.push(...latencies);
      s.rss = Math.max(s.rss, processRss(gateway.child.pid!));
      samples.set(key, s);
    };
    for (let round = 0; round <= ROUNDS; round++) {
      const order = round % 2 ? [stock, ours] : [ours, stock];
      for (const op of operations) {
        for (const caller of callers) {
          for (const gateway of order) await batch(gateway, op, caller, op.perRound, round === 0 ? undefined : `${gateway.name}|${op.name}|${caller.name}`);
        }
      }
      process.stdout.write(round === 0 ? 'warm-up done; rounds: 1' : ` ${round}`);
    }
    console.log('\n');

    // 3. Figures.
    console.log(`${new Date().toISOString()}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(`${CASES} cases, ${ROUNDS} rounds, concurrency ${CONCURRENCY}, this gateway ${flag('tsx') ? 'under tsx' : 'compiled'}, stock compiled, NODE_ENV=production`);
    const header = ['operation', 'caller', 'gateway', 'req/s', 'p50 ms', 'p99 ms', 'CPU ms/req', 'RSS MB', 'CPU ratio', 'req/s ratio', 'p50 ratio'];
    const rows: string[][] = [];
    for (const op of operations) {
      for (const caller of callers) {
        const figures = gateways.map((g) => {
          const s = samples.get(`${g.name}|${op.name}|${caller.name}`)!;
          return { rps: (s.requests * 1000) / s.wallMs, p50: percentile(s.latencies, 50), p99: percentile(s.latencies, 99), cpu: s.cpuMs / s.requests, rss: s.rss };
        });
        const [o, k] = figures;
        gateways.forEach((g, i) => {
          const f = figures[i];
          rows.push([
            op.name,
            caller.name,
            g.name,
            f.rps.toFixed(1),
            f.p50.toFixed(1),
            f.p99.toFixed(1),
            f.cpu.toFixed(2),
            mb(f.rss),
            i === 0 ? `${(o.cpu / k.cpu).toFixed(2)}x` : '',
            i === 0 ? `${(o.rps / k.rps).toFixed(2)}x` : '',
            i === 0 ? `${(o.p50 / k.p50).toFixed(2)}x` : '',
          ]);
        });
      }
    }
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
    console.log(line(header));
    console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
    for (const row of rows) console.log(line(row));
  } finally {
    await Promise.all(
      services.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.child.exitCode !== null) return resolve();
            s.child.once('exit', () => resolve());
            s.child.kill('SIGTERM');
            setTimeout(() => {
              s.child.kill('SIGKILL');
              resolve();
            }, 10_000).unref();
          }),
      ),
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
