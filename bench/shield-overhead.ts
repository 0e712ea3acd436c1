/**
 * npm run bench:shield [-- --cases 200 --first 50 --rounds 30]
 *
 * Subgraph CPU per Caseload request with and without the MOU rules. The gateway is run once to
 * record the exact operations it sends each subgraph for `Caseload(first: N)`; those are then
 * replayed in-process against each subgraph's schema: bare (no rules); with a pass-through
 * graphql-middleware layer on every field (the floor of any per-field guard); under graphql-shield
 * with `allow` on every field (what shield's executor costs by itself); with the compiled MOU rules
 * run by graphql-shield's executor and by the synchronous executor (the default), each without
 * and with the disclosure-log write. Rounds interleave the configurations; CPU is read from
 * process.cpuUsage() and the mean round reported (the database runs in its own process when
 * DATABASE_URL is set; with the embedded database its CPU would be counted too, and the script
 * says so). Callers: a probation officer (another agency everywhere), a judge and a housing caseworker
 * (each the owner of part of the caseload: decided by its role policy, sensitive reads in the access log).
 * Options: --caller probation|judge|housing, --agency <agency>, --config <one configuration>.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { SERVICES, ServiceName, databaseUrl } from '../lib/config';
import { Caller, authSettings, createVerifier, signToken } from '../lib/auth/identity';
import { loadSigningKey, loadVerificationKeys } from '../lib/auth/keys';
import { dropDatabase } from '../lib/db';
import { dropRoles } from '../lib/db-roles';
import { rolesForDatabaseUrl } from '../lib/agency-database';
import { seedDemoData } from '../lib/seed';
import { startStack } from '../lib/stack';
import { SubgraphContext, buildSchema, buildUnguardedSchema, contextFor } from '../lib/subgraph';
import { loadAgreements } from '../lib/policy/agreements';
import { writeDisclosures } from '../lib/policy/audit';
import { formatError } from '../lib/errors';
import { SUBGRAPHS } from '../subgraphs';
import { observeSubgraphRequests } from '../gateway/deadline-fetch';
import { IMiddleware, IMiddlewareFieldMap, applyMiddleware } from 'graphql-middleware';
import { GraphQLSchema, isObjectType } from 'graphql';
import { allow, shield } from 'graphql-shield';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const CASES = arg('cases', 200);
const FIRST = arg('first', 50);
const ROUNDS = arg('rounds', 30);
const WARMUP = 5;

interface Recorded {
  agency: ServiceName;
  query: string;
  variables: Record<string, unknown>;
}

/** A graphql-middleware layer on every field that only calls the resolver: the floor of any guard. */
function passThrough(schema: GraphQLSchema): IMiddlewareFieldMap {
  const map: IMiddlewareFieldMap = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    map[type.name] = Object.fromEntries(Object.keys(type.getFields()).map((f) => [f, ((resolve, p, a, c, i) => resolve(p, a, c, i)) as IMiddleware]));
  }
  return map;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function cpuMs(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

async function main(): Promise<void> {
  const real = Boolean(process.env.DATABASE_URL);
  const prefix = `dvbench_${process.pid}_`;
  const urls = real
    ? (Object.fromEntries(SERVICES.map((a) => [a, databaseUrl(a, { DATABASE_URL: process.env.DATABASE_URL, DATABASE_PREFIX: prefix })!])) as Record<ServiceName, string>)
    : undefined;
  process.env.DATA_DIR ??= fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'dv-bench-'));
  const stack = await startStack({
    databaseUrls: urls,
    host: '127.0.0.1',
    gatewayPort: 0,
    subgraphPorts: { courts: 0, housing: 0, counseling: 0, probation: 0, outcomes: 0 },
  });
  try {
    await seedDemoData(stack.databases, { cases: CASES });
    const verify = createVerifier(authSettings(await loadVerificationKeys()));
    const callers = [
      { agency: 'probation' as const, role: 'probation_officer', purpose: 'compliance_monitoring' as const },
      { agency: 'courts' as const, role: 'judge', purpose: 'judicial_review' as const },
      // An owner of part of the caseload: housing's stays and applications are its own (role policy, access log).
      { agency: 'housing' as const, role: 'housing_caseworker', purpose: 'victim_services' as const },
    ];
    const onlyCaller = process.argv.includes('--caller') ? process.argv[process.argv.indexOf('--caller') + 1] : undefined;
    for (const who of callers.filter((c) => !onlyCaller || c.agency === onlyCaller || c.role === onlyCaller)) {
    const token = await signToken({ ...who, subject: 'bench' }, await loadSigningKey(), authSettings({ keys: [] }));
    const caller: Caller = await verify(`Bearer ${token}`);

    // 1. What the gateway asks each subgraph for one Caseload request.
    const recorded: Recorded[] = [];
    const samples = new Map<string, number[]>();
    const stopObserving = observeSubgraphRequests((url, text) => {
      const agency = SERVICES.find((a) => stack.subgraphUrls[a] === url);
      if (agency && text) {
        const body = JSON.parse(text);
        recorded.push({ agency, query: body.query, variables: body.variables ?? {} });
      }
    });
    const caseload = fs.readFileSync(path.join(__dirname, '..', 'schema', 'operations', 'Caseload.graphql'), 'utf8');
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: caseload, variables: { first: FIRST } }),
    });
    const body = (await response.json()) as { data?: { cases?: { nodes: unknown[] } }; errors?: unknown[] };
    const withheld = body.errors?.length ?? 0;
    stopObserving();
    if (!body.data?.cases?.nodes.length) throw new Error(`Caseload returned no cases: ${JSON.stringify(body).slice(0, 300)}`);

    // 2. Three servers per subgraph: bare, shield, shield + disclosure log.
    const agreements = loadAgreements();
    const allConfigs = ['bare', 'pass-through', 'allow-all', 'shield', 'shield+audit', 'sync', 'sync+audit'] as const;
    const onlyConfig = process.argv.includes('--config') ? process.argv[process.argv.indexOf('--config') + 1] : undefined;
    const configs = allConfigs.filter((c) => !onlyConfig || c === onlyConfig || c === 'bare');
    const servers = new Map<string, ApolloServer<SubgraphContext<unknown>>>();
    for (const agency of SERVICES) {
      const definition = SUBGRAPHS[agency];
      for (const config of configs) {
        const server = new ApolloServer<SubgraphContext<unknown>>({
          schema:
            config === 'bare'
              ? buildUnguardedSchema(definition)
              : config === 'pass-through'
                ? applyMiddleware(buildUnguardedSchema(definition), passThrough(buildUnguardedSchema(definition)))
                : config === 'allow-all'
                ? applyMiddleware(buildUnguardedSchema(definition), shield({}, { fallbackRule: allow, allowExternalErrors: true }))
                : buildSchema(definition, agreements, config.startsWith('sync') ? 'sync' : 'graphql-shield'),
          formatError,
    // The processes that start servers handle signals (bin/start.ts, */main.ts).
    stopOnTerminationSignals: false,
          plugins: [ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginCacheControlDisabled()],
        });
        await server.start();
        servers.set(`${agency}:${config}`, server);
      }
    }
    const runOnce = async (agency: ServiceName, config: (typeof configs)[number]) => {
      const server = servers.get(`${agency}:${config}`)!;
      for (const op of recorded.filter((r) => r.agency === agency)) {
        const ctx = contextFor(SUBGRAPHS[agency], stack.databases[agency], caller, 'bench');
        const result = await server.executeOperation({ query: op.query, variables: op.variables }, { contextValue: ctx });
        if (result.body.kind !== 'single' || !result.body.singleResult.data) throw new Error(`${agency} ${config} failed`);
        // The owner's own staff are logged in the access log, other agencies in the disclosure log.
        if (config.endsWith('+audit')) await writeDisclosures(ctx.db, ctx.disclosures, caller, 'bench', caller.agency === agency ? 'access_log' : 'disclosure_log');
      }
    };

    // 3. Interleaved rounds.
    const onlyAgency = process.argv.includes('--agency') ? process.argv[process.argv.indexOf('--agency') + 1] : undefined;
    for (let round = 0; round < WARMUP + ROUNDS; round++) {
      for (const agency of SERVICES.filter((a) => !onlyAgency || a === onlyAgency)) {
        for (const config of round % 2 ? [...configs].reverse() : configs) {
          const start = process.cpuUsage();
          await runOnce(agency, config);
          if (round >= WARMUP) {
            const key = `${agency}:${config}`;
            if (!samples.has(key)) samples.set(key, []);
            samples.get(key)!.push(cpuMs(start));
          }
        }
      }
    }

    const per = (agency: string, config: string) => mean(samples.get(`${agency}:${config}`) ?? [0]);
    console.log(`\nCaseload(first: ${FIRST}) of ${CASES} seeded cases as ${who.agency}/${who.role}/${who.purpose}; mean of ${ROUNDS} rounds after ${WARMUP} warm-up`);
    console.log(`database: ${real ? 'PostgreSQL (its own process: not counted)' : 'embedded PGlite IN THIS PROCESS (its CPU is counted in every column)'}`);
    console.log(`subgraph operations per request: ${SERVICES.map((a) => `${a} ${recorded.filter((r) => r.agency === a).length}`).join(', ')}; fields withheld: ${withheld}`);
    const titles: Record<(typeof allConfigs)[number], string> = {
      bare: 'bare',
      'pass-through': 'middleware floor',
      'allow-all': 'shield allow-all',
      shield: 'shield: MOU rules',
      'shield+audit': 'shield: + log',
      sync: 'sync: MOU rules',
      'sync+audit': 'sync: + log',
    };
    console.log(`CPU ms per request ${configs.map((c) => titles[c].padStart(c === 'bare' ? 6 : 18)).join('   ')}`);
    const sums = configs.map(() => 0);
    const cell = (v: number, base: number) => `${v.toFixed(2).padStart(6)} (${(v / base).toFixed(2)}x)`;
    const line = (name: string, v: number[]) =>
      console.log(`${name.padEnd(18)} ${v.map((x, i) => (i === 0 ? x.toFixed(2).padStart(6) : cell(x, v[0]).padStart(18))).join('   ')}`);
    for (const agency of SERVICES) {
      const values = configs.map((c) => per(agency, c));
      values.forEach((v, i) => (sums[i] += v));
      line(agency, values);
    }
    line('all subgraphs', sums);
    for (const server of servers.values()) await server.stop();
    }
  } finally {
    await stack.stop();
    if (urls) {
      for (const url of Object.values(urls)) {
        await dropDatabase(url);
        await dropRoles(url, rolesForDatabaseUrl(url));
      }
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
