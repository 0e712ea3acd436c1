/**
 * npm run bench:outcomes [-- --sizes 1000,10000 --rounds 2 --queries 300 --page 200]
 * The outcomes service's cost: a refresh (read every case through the gateway as the broker,
 * de-identify, compute and suppress every metric's tables, write the snapshot) of 1,000 and of
 * 10,000 cases, and the latency of `outcomes` queries through the gateway. Each size runs on its
 * own stack (real PostgreSQL when DATABASE_URL is set, in databases of its own that are dropped
 * afterwards; else the embedded one). Prints wall time, this process's CPU (gateway, subgraphs
 * and broker all run in it; from /proc via process.cpuUsage), the phases, and the growth ratio.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SERVICES, ServiceName, databaseUrl } from '../lib/config';
import { dropDatabase } from '../lib/db';
import { dropRoles } from '../lib/db-roles';
import { rolesForDatabaseUrl } from '../lib/agency-database';
import { seedDemoData } from '../lib/seed';
import { startStack } from '../lib/stack';
import { authSettings, signToken } from '../lib/auth/identity';
import { loadSigningKey } from '../lib/auth/keys';
import { METRICS, METRIC_SPECS } from '../subgraphs/outcomes/metrics';
import { DIMENSION_BY_ENUM, ENUM_BY_DIMENSION, answerTable } from '../subgraphs/outcomes/tables';
import { allowedGroupings } from '../subgraphs/outcomes/suppression';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const cpuMs = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];

interface Figures {
  cases: number;
  refreshMs: number[];
  cpuMs: number[];
  readMs: number[];
  computeMs: number[];
  writeMs: number[];
  cells: number;
  queryMs: number[];
  /** The same queries sent to the outcomes subgraph directly (no gateway planning or hop). */
  directMs: number[];
  /** The table's read from the snapshot alone (answerTable, no HTTP, verification or disclosure log). */
  readTableMs: number[];
}

async function measure(cases: number, rounds: number, queries: number, page: number): Promise<Figures> {
  const real = Boolean(process.env.DATABASE_URL);
  const prefix = `dvbench_${process.pid}_${cases}_`;
  const urls = real
    ? (Object.fromEntries(SERVICES.map((a) => [a, databaseUrl(a, { DATABASE_URL: process.env.DATABASE_URL, DATABASE_PREFIX: prefix })!])) as Record<ServiceName, string>)
    : undefined;
  const stack = await startStack({ databaseUrls: urls, host: '127.0.0.1', gatewayPort: 0, subgraphPorts: { courts: 0, housing: 0, counseling: 0, probation: 0, outcomes: 0 }, poolSize: 4 });
  try {
    console.error(`${cases} cases: seeding...`);
    await seedDemoData(stack.databases, { cases, today: stack.clock.today() });
    const figures: Figures = { cases, refreshMs: [], cpuMs: [], readMs: [], computeMs: [], writeMs: [], cells: 0, queryMs: [], directMs: [], readTableMs: [] };
    process.env.OUTCOMES_PAGE_SIZE = String(page);
    for (let r = 0; r < rounds; r++) {
      const cpu = process.cpuUsage();
      const t0 = performance.now();
      const result = await stack.refreshOutcomes();
      figures.refreshMs.push(performance.now() - t0);
      figures.cpuMs.push(cpuMs(cpu));
      figures.readMs.push(result.readMs);
      figures.computeMs.push(result.computeMs);
      figures.writeMs.push(result.writeMs);
      figures.cells = result.cells;
      console.error(`  refresh ${r + 1}: ${Math.round(performance.now() - t0)} ms (read ${Math.round(result.readMs)}, compute ${Math.round(result.computeMs)}, write ${Math.round(result.writeMs)}), ${result.cells} cells`);
    }
    // Queries through the gateway as a courts analyst, each a metric and one of its groupings (rotating).
    const token = await signToken({ agency: 'courts', role: 'analyst', purpose: 'research', subject: 'bench', ttlSeconds: 3600 }, await loadSigningKey(), authSettings({ keys: [] }));
    const asks = METRICS.filter((m) => m !== 'violationsPerSupervisionMonths' && m !== 'attendance').flatMap((m) =>
      allowedGroupings(METRIC_SPECS[m].dimensions).filter((g) => g.length <= 2).map((g) => ({ m, by: g.map((d) => ENUM_BY_DIMENSION[d]) })));
    // Interleaved: the gateway, then the subgraph directly, for each query.
    for (let i = 0; i < 2 * queries; i++) {
      const { m, by } = asks[Math.floor(i / 2) % asks.length];
      const direct = i % 2 === 1;
      const t0 = performance.now();
      const response = await fetch(direct ? stack.subgraphUrls.outcomes : stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: `query($by: [OutcomeDimension!]) { outcomes { ${m}(by: $by) { asOf cells { key { dimension value } count numerator denominator rate median suppressed suppressionReason } } } }`, variables: { by } }),
      });
      const body = (await response.json()) as { errors?: unknown[] };
      if (body.errors) throw new Error(`query ${m} by ${by.join(',')}: ${JSON.stringify(body.errors).slice(0, 300)}`);
      (direct ? figures.directMs : figures.queryMs).push(performance.now() - t0);
      if (direct) {
        const t1 = performance.now();
        await answerTable(stack.databases.outcomes, { metric: m, by: by.map((d) => DIMENSION_BY_ENUM[d]) });
        figures.readTableMs.push(performance.now() - t1);
      }
    }
    return figures;
  } finally {
    await stack.stop();
    if (urls) for (const url of Object.values(urls)) {
      await dropDatabase(url).catch(() => undefined);
      await dropRoles(url, rolesForDatabaseUrl(url)).catch(() => undefined);
    }
  }
}

async function main(): Promise<void> {
  process.env.LOG_LEVEL ??= 'warn';
  process.env.DATA_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), 'dv-bench-outcomes-'));
  const sizes = arg('sizes', '1000,10000').split(',').map(Number);
  const rounds = Number(arg('rounds', '2'));
  const queries = Number(arg('queries', '300'));
  const page = Number(arg('page', '200'));
  const results: Figures[] = [];
  for (const size of sizes) results.push(await measure(size, rounds, queries, page));
  const db = process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite';
  console.log(`\noutcomes bench (${db}, ${os.cpus().length} cores, page ${page}, ${rounds} refreshes and ${queries} queries per size, ${new Date().toISOString().slice(0, 10)})`);
  console.log('| cases | refresh (median) | read through gateway | compute + suppress | write | CPU of the process | cells | query at the gateway, median / p95 | at the outcomes subgraph | reading the table alone |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const f of results) {
    console.log(`| ${f.cases.toLocaleString('en')} | ${(median(f.refreshMs) / 1000).toFixed(1)} s | ${(median(f.readMs) / 1000).toFixed(1)} s | ${(median(f.computeMs) / 1000).toFixed(2)} s | ${(median(f.writeMs) / 1000).toFixed(2)} s | ${(median(f.cpuMs) / 1000).toFixed(1)} s | ${f.cells.toLocaleString('en')} | ${median(f.queryMs).toFixed(1)} / ${p95(f.queryMs).toFixed(1)} ms | ${median(f.directMs).toFixed(1)} / ${p95(f.directMs).toFixed(1)} ms | ${median(f.readTableMs).toFixed(1)} / ${p95(f.readTableMs).toFixed(1)} ms |`);
  }
  if (results.length >= 2) {
    const [a, b] = [results[0], results[results.length - 1]];
    console.log(`growth ${a.cases} → ${b.cases} cases (×${(b.cases / a.cases).toFixed(0)}): refresh ×${(median(b.refreshMs) / median(a.refreshMs)).toFixed(2)}, CPU ×${(median(b.cpuMs) / median(a.cpuMs)).toFixed(2)}, query ×${(median(b.queryMs) / median(a.queryMs)).toFixed(2)}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
