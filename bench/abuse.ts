/**
 * npm run bench:abuse [-- --rounds 5 --cases 200]
 *
 * For each attack class of issue 7 (depth cycle of 40 levels, spread explosion, 1000 aliases,
 * twenty whole-case pages of 500, too many tokens, too many directives): the time to refuse at
 * the gateway and directly at the courts subgraph (median and worst of --rounds), the code of the
 * refusal, and the memory (RSS and heap) of the gateway and of the subgraphs before and after.
 * Also the time of a normal WholeCase request and of /health while attacks arrive, and the ratio
 * of the time to refuse to a normal request.
 *
 * Each service runs in its own process, as in production (bench/support/service-process.ts), on
 * real PostgreSQL: DATABASE_URL must be set; DATABASE_PREFIX (default `bench_abuse_`) names the
 * databases, which are created, migrated and seeded when empty. Ports: GATEWAY_PORT and
 * <AGENCY>_PORT (defaults 4000-4004). Limits: OPERATION_MAX_* as the services read them.
 */
import { SERVICES, ServiceName, gatewayPort, subgraphPort } from '../lib/config';
import { openConfiguredDatabases } from '../lib/databases';
import { countCases, seedDemoData } from '../lib/seed';
import { authSettings, signToken } from '../lib/auth/identity';
import { loadSigningKey } from '../lib/auth/keys';
import { Memory, mb, median, memoryOf, post, startService, waitHealthy } from './support/services';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const ROUNDS = arg('rounds', 5);
const CASES = arg('cases', 200);

const WHOLE_CASE_FRAGMENT = `fragment W on Case { id docketNumber caseType status courtName filedDate
  parties { id role person { id givenName familyName dateOfBirth housingStatus } }
  hearings { id hearingType scheduledAt courtroom outcome }
  protectiveOrders { id kind status issuedDate expiresDate protectedPerson { id } restrainedPerson { id } conditions { noContact stayAwayDistanceFeet firearmSurrender vacateResidence otherConditions } }
  programMandates { id programType providerAgency orderedDate dueDate requiredSessions status enrollments { id status sessionsAttended dischargeOutcome } }
  referrals { id serviceType toAgency referredDate status }
  violations { id violationType reportedBy occurredDate description finding probationReport { id reportDate violationType status } }
  sanctions { id sanctionType imposedDate description }
  shelterStays { id admittedDate exitedDate exitDestination status }
  housingApplications { id program appliedDate status decisionDate monthlyAssistance }
  programEnrollments { id programType providerName referralSource enrolledDate requiredSessions sessionsAttended status dischargeDate dischargeOutcome sessions { id sessionDate format attendance } progressReports { id reportDate compliance summary recipientAgency } }
  supervisions { id officerName level conditions startDate endDate status currentRiskLevel checkIns { id checkInDate method outcome notes } drugTests { id collectedDate testType result substancesDetected } riskAssessments { id instrument score riskLevel assessedDate assessorName } complianceReports { id reportDate compliance summary } violationReports { id reportDate violationType description status } } }`;

const WHOLE_CASE = `query WholeCase($id: ID!) { case(id: $id) { ...W } } ${WHOLE_CASE_FRAGMENT}`;

function deepCycle(levels: number): string {
  let inner = 'id';
  for (let i = 0; i < levels / 2; i++) inner = `programMandates { case { ${inner} } }`;
  return `query Deep($id: ID!) { case(id: $id) { ${inner} } }`;
}

function spreadExplosion(levels: number, fanout: number): string {
  const defs = ['fragment E0 on Case { id docketNumber status parties { id } }'];
  for (let i = 1; i <= levels; i++) defs.push(`fragment E${i} on Case { ${Array(fanout).fill(`...E${i - 1}`).join(' ')} }`);
  return `query Explode($id: ID!) { case(id: $id) { ...E${levels} } } ${defs.join(' ')}`;
}

const ATTACKS: { name: string; query: string }[] = [
  { name: 'depth: cycle of 40 levels', query: deepCycle(40) },
  { name: 'spread explosion (8 levels x 6 spreads)', query: spreadExplosion(8, 6) },
  { name: '1000 aliases of one field', query: `query Aliases($id: ID!) { ${Array.from({ length: 1000 }, (_, i) => `a${i}: case(id: $id) { id }`).join(' ')} }` },
  {
    name: 'cost: 20 aliases of cases(first: 500) whole-case',
    query: `query Costly { ${Array.from({ length: 20 }, (_, i) => `p${i}: cases(first: 500) { nodes { ...W } }`).join(' ')} } ${WHOLE_CASE_FRAGMENT}`,
  },
  {
    name: 'cost: 3 aliases of cases(first: 500) whole-case',
    query: `query Costly3 { ${Array.from({ length: 3 }, (_, i) => `p${i}: cases(first: 500) { nodes { ...W } }`).join(' ')} } ${WHOLE_CASE_FRAGMENT}`,
  },
  { name: 'cost: cases(first: 1,000,000), courts fields only', query: 'query Huge { cases(first: 1000000) { nodes { id docketNumber parties { id role } } } }' },
  { name: 'too many tokens (20,000)', query: `query Tokens { ${Array(20_000).fill('__typename').join(' ')} }` },
  { name: 'directives (200 on one field)', query: `query Directives { __typename ${Array(200).fill('@skip(if: false)').join(' ')} }` },
];

async function main(): Promise<void> {
  if (!process.env.DATABASE_URL) throw new Error('bench:abuse runs each service in its own process on real PostgreSQL: set DATABASE_URL');
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_PREFIX: process.env.DATABASE_PREFIX ?? 'bench_abuse_' };
  Object.assign(process.env, { DATABASE_PREFIX: env.DATABASE_PREFIX });

  const opened = await openConfiguredDatabases();
  if ((await countCases(opened.databases)) === 0) {
    console.log(`seeding ${CASES} cases into ${env.DATABASE_PREFIX}* ...`);
    await seedDemoData(opened.databases, { cases: CASES });
  }
  const [{ id: caseId }] = await opened.databases.courts.query('SELECT id FROM court_case ORDER BY docket_number LIMIT 1');
  await opened.close();

  const token = await signToken({ agency: 'courts', role: 'judge', purpose: 'judicial_review', subject: 'bench-judge' }, await loadSigningKey(), authSettings({ keys: [] }));
  const subgraphs = SERVICES.map((a: ServiceName) => startService(a, `subgraphs/${a}/main.ts`, env, `http://127.0.0.1:${subgraphPort(a)}/graphql`));
  const gateway = startService('gateway', 'gateway/main.ts', env, `http://127.0.0.1:${gatewayPort()}/graphql`);
  const services = [gateway, ...subgraphs];
  const courts = subgraphs[0];
  try {
    await Promise.all(services.map((s) => waitHealthy(s)));
    // Warm up: the normal request, twice.
    for (let i = 0; i < 2; i++) await post(gateway.url, token, WHOLE_CASE, { id: caseId });
    const normal: number[] = [];
    for (let i = 0; i < ROUNDS; i++) normal.push((await post(gateway.url, token, WHOLE_CASE, { id: caseId })).ms);
    const normalMs = median(normal);
    console.log(`\nnormal WholeCase at the gateway: median ${normalMs.toFixed(1)} ms over ${ROUNDS} rounds\n`);

    const header = ['attack', 'code', 'gateway ms (med/max)', 'courts ms (med/max)', 'x normal', 'gateway RSS/heap MB before→after', 'subgraphs RSS/heap MB before→after'];
    const rows: string[][] = [];
    for (const attack of ATTACKS) {
      const before = await Promise.all(services.map(memoryOf));
      const atGateway: number[] = [];
      const atCourts: number[] = [];
      let code = '';
      let status = 0;
      for (let i = 0; i < ROUNDS; i++) {
        const g = await post(gateway.url, token, attack.query, { id: caseId });
        const c = await post(courts.url, token, attack.query, { id: caseId });
        atGateway.push(g.ms);
        atCourts.push(c.ms);
        code = g.code === c.code ? g.code : `${g.code} / ${c.code}`;
        status = Math.max(g.status, c.status);
      }
      const after = await Promise.all(services.map(memoryOf));
      const sum = (ms: Memory[], key: keyof Memory) => ms.slice(1).reduce((s, m) => s + m[key], 0);
      rows.push([
        attack.name,
        `${status} ${code}`,
        `${median(atGateway).toFixed(1)} / ${Math.max(...atGateway).toFixed(1)}`,
        `${median(atCourts).toFixed(1)} / ${Math.max(...atCourts).toFixed(1)}`,
        (median(atGateway) / normalMs).toFixed(2),
        `${mb(before[0].rss)}/${mb(before[0].heapUsed)} → ${mb(after[0].rss)}/${mb(after[0].heapUsed)}`,
        `${mb(sum(before, 'rss'))}/${mb(sum(before, 'heapUsed'))} → ${mb(sum(after, 'rss'))}/${mb(sum(after, 'heapUsed'))}`,
      ]);
    }
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
    console.log(line(header));
    console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
    for (const row of rows) console.log(line(row));

    // Normal traffic while attacks arrive: ten of each attack at once, with /health and WholeCase.
    const burst = ATTACKS.flatMap((a) => Array.from({ length: 10 }, () => post(gateway.url, token, a.query, { id: caseId })));
    const healthStarted = performance.now();
    const health = fetch(gateway.url.replace('/graphql', '/health')).then(() => performance.now() - healthStarted);
    const judge = post(gateway.url, token, WHOLE_CASE, { id: caseId });
    const [healthMs, judged, refused] = await Promise.all([health, judge, Promise.all(burst)]);
    console.log(
      `\nduring a burst of ${refused.length} attacks (${refused.filter((r) => r.status === 400).length} refused with 400): ` +
        `/health ${healthMs.toFixed(1)} ms, WholeCase ${judged.ms.toFixed(1)} ms (${(judged.ms / normalMs).toFixed(2)} x normal)`,
    );
    const end = await Promise.all(services.map(memoryOf));
    console.log(`memory at the end: ${services.map((s, i) => `${s.name} ${mb(end[i].rss)}/${mb(end[i].heapUsed)} MB`).join(', ')}`);
  } finally {
    for (const service of services) service.child.kill('SIGTERM');
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
