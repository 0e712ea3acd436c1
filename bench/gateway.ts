/**
 * npm run bench:gateway [-- --cases 2000 --rounds 6 --concurrency 4 --scale 1 --only OPS --variant 'label:FLAGS' --floor --hive --profile --tsx]
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
 * gateway CPU ms per request (from /proc/<pid>/stat, the gateway process alone) and the part of it
 * spent in the kernel, the four subgraphs' CPU per request over the same batches, peak RSS, and
 * the ratios this/stock. The subgraphs and this gateway run with SERVICE_NODE_FLAGS, as in
 * production; the stock gateway on node's defaults. Operations: Caseload(first: 10/50/200) (schema/operations/Caseload.graphql)
 * and WholeCase (schema/operations/WholeCase.graphql).
 *
 * Services run compiled (dist/, `npm run build:server`, which the npm script runs first); --tsx
 * runs this gateway under tsx instead (as `npm run start:gateway` does). --profile writes a V8
 * CPU profile of this gateway's process to ./profiles/ (open it in Chrome DevTools).
 *
 * To weigh a change before keeping it: `--only 'Caseload(50),WholeCase'` runs just those
 * operations; `--variant 'label:--node-flag ENV_NAME=value ...'` (repeatable) runs this gateway a
 * further time with those node flags and environment variables, in the same interleaved rounds.
 * `--floor` then measures, in this process, what Apollo Server and @apollo/gateway alone cost for
 * each operation over recorded subgraph answers (bench/support/gateway-floor.ts) and prints it
 * beside both gateways: the least any gateway built on them can cost. `--hive` adds GraphQL Hive
 * Gateway (routers/hive-main.ts, under tsx, with the 401 and all-or-nothing configured) to the
 * rounds: another executor over the same supergraph and subgraphs, for reference.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AGENCIES, SERVICE_NODE_FLAGS, envPrefix } from '../lib/config';
import { openConfiguredDatabases } from '../lib/databases';
import { clearAll, countCases, seedDemoData } from '../lib/seed';
import { authSettings, signToken } from '../lib/auth/identity';
import { loadSigningKey, loadVerificationKeys } from '../lib/auth/keys';
import { measureFloor } from './support/gateway-floor';
import { readCommittedSupergraph } from '../lib/composition';
import { ROOT, Service, freePort, mb, percentile, post, processCpuMs, processCpuSplitMs, processRss, startService, waitHealthy } from './support/services';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const flag = (name: string) => process.argv.includes(`--${name}`);
/** Every value of a repeatable option. */
const values = (name: string) => process.argv.flatMap((a, i) => (a === `--${name}` && i + 1 < process.argv.length ? [process.argv[i + 1]] : []));

/** A further run of this gateway: `label:--node-flag ENV=value ...` (see --variant). */
function variantOf(spec: string): { label: string; execArgv: string[]; env: Record<string, string> } {
  const colon = spec.indexOf(':');
  if (colon < 1) throw new Error(`--variant takes 'label:--node-flag ENV=value ...', got "${spec}"`);
  const words = spec.slice(colon + 1).trim().split(/\s+/).filter(Boolean);
  const env: Record<string, string> = {};
  const execArgv: string[] = [];
  for (const w of words) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(w);
    if (m) env[m[1]] = m[2];
    else if (w.startsWith('--')) execArgv.push(w);
    else throw new Error(`--variant ${spec}: "${w}" is neither a node flag nor ENV=value`);
  }
  return { label: spec.slice(0, colon), execArgv, env };
}

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
  /** Of cpuMs, the part spent in the kernel. */
  systemMs: number;
  /** The four subgraphs' CPU over the same batches (the same subgraphs serve every gateway). */
  subgraphMs: number;
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
  const allOperations: Operation[] = [
    { name: 'Caseload(10)', query: CASELOAD, variables: () => ({ first: 10 }), perRound: Math.max(1, Math.round(24 * SCALE)) },
    { name: 'Caseload(50)', query: CASELOAD, variables: () => ({ first: 50 }), perRound: Math.max(1, Math.round(8 * SCALE)) },
    { name: 'Caseload(200)', query: CASELOAD, variables: () => ({ first: 200 }), perRound: Math.max(1, Math.round(2 * SCALE)) },
    { name: 'WholeCase', query: WHOLE_CASE, variables: (i) => ({ id: caseIds[i % caseIds.length] }), perRound: Math.max(1, Math.round(48 * SCALE)) },
  ];
  const only = values('only').flatMap((v) => v.split(',')).map((v) => v.trim());
  const unknown = only.filter((name) => !allOperations.some((op) => op.name === name));
  if (unknown.length > 0) throw new Error(`--only: no operation ${unknown.join(', ')}; there are ${allOperations.map((op) => op.name).join(', ')}`);
  const operations = only.length > 0 ? allOperations.filter((op) => only.includes(op.name)) : allOperations;
  const variants = values('variant').map(variantOf);

  const ports = Object.fromEntries(await Promise.all(AGENCIES.map(async (a) => [a, await freePort()] as const)));
  // Production refuses the development key file: the services get the public keys themselves.
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', DATABASE_PREFIX: prefix, JWT_PUBLIC_JWKS: JSON.stringify(await loadVerificationKeys()) };
  for (const a of AGENCIES) {
    env[`${envPrefix(a)}_PORT`] = String(ports[a]);
    env[`${envPrefix(a)}_URL`] = `http://127.0.0.1:${ports[a]}/graphql`;
  }
  const [oursPort, stockPort] = [await freePort(), await freePort()];
  const variantPorts = await Promise.all(variants.map(() => freePort()));
  const hivePort = await freePort();
  const compiled = (main: string) => `dist/${main.replace(/\.ts$/, '.js')}`;
  // As in production (SERVICE_NODE_FLAGS); the stock gateway runs on node's defaults, as Apollo's documentation has it.
  const subgraphs = AGENCIES.map((a) => startService(a, compiled(`subgraphs/${a}/main.ts`), env, env[`${envPrefix(a)}_URL`]!, [], [...SERVICE_NODE_FLAGS]));
  fs.mkdirSync(path.join(ROOT, 'profiles'), { recursive: true });
  const ours = startService(
    'this gateway',
    flag('tsx') ? 'gateway/main.ts' : compiled('gateway/main.ts'),
    { ...env, GATEWAY_PORT: String(oursPort), BIND_HOST: '127.0.0.1' },
    `http://127.0.0.1:${oursPort}/graphql`,
    [],
    [...SERVICE_NODE_FLAGS, ...(flag('profile') ? ['--cpu-prof', `--cpu-prof-dir=${path.join(ROOT, 'profiles')}`] : [])],
  );
  const stock = startService('stock', compiled('bench/support/stock-gateway.ts'), env, `http://127.0.0.1:${stockPort}/graphql`, [String(stockPort)]);
  const others = variants.map((v, i) =>
    startService(
      v.label,
      flag('tsx') ? 'gateway/main.ts' : compiled('gateway/main.ts'),
      { ...env, ...v.env, GATEWAY_PORT: String(variantPorts[i]), BIND_HOST: '127.0.0.1' },
      `http://127.0.0.1:${variantPorts[i]}/graphql`,
      [],
      v.execArgv,
    ),
  );
  const hive = flag('hive')
    ? [startService('Hive Gateway', 'routers/hive-main.ts', { ...env, GATEWAY_PORT: String(hivePort), BIND_HOST: '127.0.0.1' }, `http://127.0.0.1:${hivePort}/graphql`)]
    : [];
  const gateways = [ours, ...others, ...hive, stock];
  const services = [...gateways, ...subgraphs];
  try {
    await Promise.all(subgraphs.map((s) => waitHealthy(s)));
    for (const g of [ours, ...others]) await waitHealthy(g);
    for (const g of hive) {
      await waitHealthy(g, () =>
        fetch(g.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${callers[0].tokens[0]}` }, body: JSON.stringify({ query: '{ __typename }' }) }),
      );
    }
    await waitHealthy(stock, () =>
      fetch(stock.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) }),
    );

    // 1. The same data from both.
    for (const op of operations) {
      for (const caller of callers) {
        const answers = await Promise.all(gateways.map((g) => post(g.url, caller.tokens[0], op.query, op.variables(0))));
        const b = answers[answers.length - 1];
        for (const [i, a] of answers.slice(0, -1).entries()) {
          const same = JSON.stringify(a.body.data) === JSON.stringify(b.body.data);
          const size = JSON.stringify(a.body).length;
          console.log(
            `${op.name.padEnd(14)} ${caller.name.padEnd(18)} ${gateways[i].name}: same data as stock: ${same ? 'yes' : 'NO'}; errors ${a.body.errors?.length ?? 0} / ${b.body.errors?.length ?? 0}; ` +
              `response ${(size / 1024).toFixed(0)} KB`,
          );
          if (!same || !a.body.data) throw new Error(`${op.name} as ${caller.name}: ${gateways[i].name} and stock return different data`);
        }
      }
    }

    // 2. Interleaved rounds (the first is a warm-up, not counted).
    const samples = new Map<string, Sample>();
    let next = 0;
    const batch = async (gateway: Service, op: Operation, caller: Caller, count: number, key: string | undefined) => {
      const latencies: number[] = [];
      let sent = 0;
      const cpu0 = processCpuSplitMs(gateway.child.pid!);
      const subgraphCpu0 = subgraphs.reduce((sum, s) => sum + processCpuMs(s.child.pid!), 0);
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
      const cpu1 = processCpuSplitMs(gateway.child.pid!);
      const cpuMs = cpu1.user + cpu1.system - cpu0.user - cpu0.system;
      const systemMs = cpu1.system - cpu0.system;
      const subgraphMs = subgraphs.reduce((sum, s) => sum + processCpuMs(s.child.pid!), 0) - subgraphCpu0;
      if (!key) return;
      const s = samples.get(key) ?? { cpuMs: 0, systemMs: 0, subgraphMs: 0, wallMs: 0, requests: 0, latencies: [], rss: 0 };
      s.cpuMs += cpuMs;
      s.subgraphMs += subgraphMs;
      s.systemMs += systemMs;
      s.wallMs += wallMs;
      s.requests += count;
      s.latencies.push(...latencies);
      s.rss = Math.max(s.rss, processRss(gateway.child.pid!));
      samples.set(key, s);
    };
    for (let round = 0; round <= ROUNDS; round++) {
      const order = round % 2 ? [...gateways].reverse() : gateways;
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
    const header = ['operation', 'caller', 'gateway', 'req/s', 'p50 ms', 'p99 ms', 'CPU ms/req', 'of it kernel', 'subgraphs CPU ms/req', 'RSS MB', 'CPU ratio', 'req/s ratio', 'p50 ratio'];
    const rows: string[][] = [];
    for (const op of operations) {
      for (const caller of callers) {
        const figures = gateways.map((g) => {
          const s = samples.get(`${g.name}|${op.name}|${caller.name}`)!;
          return { rps: (s.requests * 1000) / s.wallMs, p50: percentile(s.latencies, 50), p99: percentile(s.latencies, 99), cpu: s.cpuMs / s.requests, system: s.systemMs / s.cpuMs, subgraphs: s.subgraphMs / s.requests, rss: s.rss };
        });
        const k = figures[figures.length - 1];
        gateways.forEach((g, i) => {
          const f = figures[i];
          const o = f;
          const last = i === gateways.length - 1;
          rows.push([
            op.name,
            caller.name,
            g.name,
            f.rps.toFixed(1),
            f.p50.toFixed(1),
            f.p99.toFixed(1),
            f.cpu.toFixed(2),
            `${(100 * f.system).toFixed(0)}%`,
            f.subgraphs.toFixed(2),
            mb(f.rss),
            last ? '' : `${(o.cpu / k.cpu).toFixed(2)}x`,
            last ? '' : `${(o.rps / k.rps).toFixed(2)}x`,
            last ? '' : `${(o.p50 / k.p50).toFixed(2)}x`,
          ]);
        });
      }
    }
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
    console.log(line(header));
    console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
    for (const row of rows) console.log(line(row));

    if (flag('floor')) {
      const cases = operations.flatMap((op) => callers.map((caller) => ({ key: `${op.name}|${caller.name}`, token: caller.tokens[0], query: op.query, variables: op.variables(0), repeat: op.perRound * 4 })));
      const subgraphUrls = Object.fromEntries(AGENCIES.map((a) => [a, env[`${envPrefix(a)}_URL`]!]));
      const floor = new Map<string, number>();
      const bare = new Map<string, number>();
      for (const c of cases) {
        for (const [k, v] of await measureFloor(readCommittedSupergraph(), subgraphUrls, [c], c.repeat)) floor.set(k, v);
        for (const [k, v] of await measureFloor(readCommittedSupergraph(), subgraphUrls, [c], c.repeat, { withoutErrors: true })) bare.set(k, v);
      }
      console.log('\nThe floor: Apollo Server + @apollo/gateway alone, in process, over recorded subgraph answers (no HTTP, no token check, no screen)');
      const fheader = ['operation', 'caller', 'floor CPU ms/req', 'this gateway', 'stock', 'floor / stock', 'this gateway / floor', 'floor without refusals / stock'];
      const frows = cases.map((c) => {
        const [opName, callerName] = c.key.split('|');
        const cpu = (g: Service) => {
          const s = samples.get(`${g.name}|${opName}|${callerName}`)!;
          return s.cpuMs / s.requests;
        };
        const f = floor.get(c.key)!;
        const b = bare.get(c.key)!;
        return [opName, callerName, f.toFixed(2), cpu(ours).toFixed(2), cpu(stock).toFixed(2), `${(f / cpu(stock)).toFixed(2)}x`, `${(cpu(ours) / f).toFixed(2)}x`, `${(b / cpu(stock)).toFixed(2)}x`];
      });
      const fw = fheader.map((h, i) => Math.max(h.length, ...frows.map((r) => r[i].length)));
      const fline = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(fw[i])).join(' | ')} |`;
      console.log(fline(fheader));
      console.log(`|${fw.map((w) => '-'.repeat(w + 2)).join('|')}|`);
      for (const row of frows) console.log(fline(row));
    }
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
