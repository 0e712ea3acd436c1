/**
 * npm run bench:suppression [-- --rounds 7]: time of publishTables (primary + complementary
 * suppression + exact audit) for a metric of 1,000 and 10,000 cases, over every allowed grouping,
 * for two dimension sets (5 and 6 dimensions besides year). Configurations are interleaved round by
 * round; the figures are medians of process CPU time (process.cpuUsage, user + system) and wall time.
 */
import { allowedGroupings, Dimension, FineCell, publishTables } from '../subgraphs/outcomes/suppression';
import { mulberry32 } from '../lib/random';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg('rounds', 7);

const random = mulberry32;

const LEVELS: Partial<Record<Dimension, string[]>> = {
  court: ['A', 'B', 'C', 'D'],
  programType: ['BATTERER_INTERVENTION', 'SUBSTANCE_USE_TREATMENT', 'MENTAL_HEALTH_COUNSELING', 'PARENTING'],
  caseType: ['CRIMINAL', 'CIVIL'],
  riskLevel: ['LOW', 'MODERATE', 'HIGH'],
  completion: ['COMPLETED', 'NOT_COMPLETED'],
  quarter: Array.from({ length: 20 }, (_, i) => `${2022 + Math.floor(i / 4)}-Q${(i % 4) + 1}`),
};

/** `cases` case records, skewed over the levels, summed into fine cells. */
function fineCells(cases: number, dims: Dimension[]): FineCell[] {
  const rnd = random(cases);
  const cells = new Map<string, FineCell>();
  for (let i = 0; i < cases; i++) {
    const key: Partial<Record<Dimension, string>> = {};
    for (const d of dims) if (d !== 'year') key[d] = LEVELS[d]![Math.floor(LEVELS[d]!.length * Math.pow(rnd(), 1.6))];
    const k = JSON.stringify(key);
    let c = cells.get(k);
    if (!c) cells.set(k, (c = { key, numerator: 0, denominator: 0 }));
    c.denominator++;
    if (rnd() < 0.25) c.numerator++;
  }
  return [...cells.values()];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const DIMS: Dimension[][] = [
  ['court', 'programType', 'caseType', 'completion', 'year', 'quarter'],
  ['court', 'programType', 'caseType', 'riskLevel', 'completion', 'year', 'quarter'],
];
const configs = [1_000, 10_000].flatMap((cases) => DIMS.map((dims) => ({ cases, dims, fine: fineCells(cases, dims), groupings: allowedGroupings(dims) })));
const results = configs.map(() => ({ cpu: [] as number[], wall: [] as number[], cells: 0, small: 0, complementary: 0 }));
for (let round = 0; round <= ROUNDS; round++) {
  configs.forEach((c, i) => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const tables = publishTables(c.fine, c.groupings);
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (round === 0) return; // warm-up
    results[i].cpu.push((cpu.user + cpu.system) / 1000);
    results[i].wall.push(wall);
    const all = tables.flatMap((t) => t.cells);
    results[i].cells = all.length;
    results[i].small = all.filter((x) => x.suppressed === 'SMALL_CELL').length;
    results[i].complementary = all.filter((x) => x.suppressed === 'COMPLEMENTARY').length;
  });
}
console.log(`publishTables, median of ${ROUNDS} interleaved rounds (${new Date().toISOString().slice(0, 10)}, node ${process.version})`);
console.log('| cases | dimensions | groupings | fine cells | cells | small | complementary | CPU ms | wall ms |');
console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
configs.forEach((c, i) => {
  const r = results[i];
  console.log(`| ${c.cases.toLocaleString('en')} | ${c.dims.length} | ${c.groupings.length} | ${c.fine.length} | ${r.cells} | ${r.small} | ${r.complementary} | ${median(r.cpu).toFixed(0)} | ${median(r.wall).toFixed(0)} |`);
});
for (const dims of DIMS) {
  const [a, b] = configs.map((c, i) => ({ c, r: results[i] })).filter((x) => x.c.dims === dims);
  console.log(`${dims.length} dimensions: 10,000 / 1,000 cases CPU ratio ${(median(b.r.cpu) / median(a.r.cpu)).toFixed(2)}`);
}
