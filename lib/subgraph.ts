/**
 * What every agency subgraph shares: how it is described, how its schema is guarded by the
 * compiled MOU rules, how each request's caller is verified, and how it is served.
 */
import fs from 'node:fs';
import http from 'node:http';
import { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { GraphQLSchema, Kind, OperationDefinitionNode, isNonNullType, parse } from 'graphql';
import { DataSource, EntitySchema, MigrationInterface } from 'typeorm';
import { Caller, Verifier } from './auth/identity';
import { ServiceName, introspectionEnabled, maxResponseFields, operationLimits, subgraphRequestTimeoutMs } from './config';
import { OperationLimits } from './operation-limits';
import { OperationLimiter } from './operation-limits-plugin';
import { formatError } from './errors';
import { HealthReport, RunningServer, requestIdOf, serve } from './http-server';
import { Agreement, AgreementError, checkAgainstSubgraph } from './policy/agreements';
import { DisclosureCollector, disclosureLogPlugin } from './policy/audit';
import { SubgraphPolicy, checkPolicy } from './policy/classification';
import { consentLoader } from './policy/consent';
import { RequestPolicy, compilePolicy } from './policy/rules';
import { RolePolicy, checkRolePolicy, loadRolePolicies } from './policy/roles';
import { PolicyExecutor, guardSchema } from './policy/executor';
import { scalarResolvers } from './scalars';
import { WITHHOLDING_HEADER, allOrNothingSubgraphResult, asksAllOrNothing } from './withholding';
import { RequestBatches } from './loaders';
import { requestIdPlugin } from './request-id-plugin';
import { IDEMPOTENCY_HEADER, idempotencyKeyOf, scopeMutationsByIdempotencyKey } from './idempotency';
import { limitInputs } from './input-limits';
import { assertServiceRole } from './db-roles';
import { Clock, systemClock } from './clock';
import { DEADLINE_HEADER, RequestDeadline, budgetFromHeader } from './request-deadline';

export interface SubgraphContext<Loaders> {
  db: DataSource;
  loaders: Loaders;
  /** The request's loader batches; a read that bypasses the loaders runs under `batches.track`. */
  batches: RequestBatches;
  caller: Caller;
  requestId: string;
  /** The request's deadline and field budget; the executor spends one field per field resolved. */
  deadline?: RequestDeadline;
  policy: RequestPolicy;
  disclosures: DisclosureCollector;
  /** The request's Idempotency-Key header, checked (lib/idempotency.ts); null when none was sent. */
  idempotencyKey?: string | null;
  /** The policy clock (POLICY_TIME_ZONE); `policy.today`/`policy.now` are its reading at the request's start. */
  clock: Clock;
}

export interface SubgraphDefinition<Loaders> {
  name: ServiceName;
  /** Path of the SDL file kept beside the subgraph's code. */
  sdlPath: string;
  resolvers: GraphQLResolverMap<SubgraphContext<Loaders>>;
  entities: EntitySchema<any>[];
  migrations: (new () => MigrationInterface)[];
  createLoaders(db: DataSource, batches: RequestBatches): Loaders;
  /** Which fields are public, owner-only or never shared; record scopes; notices. */
  policy: SubgraphPolicy;
}

export function readSdl(definition: { sdlPath: string }): string {
  return fs.readFileSync(definition.sdlPath, 'utf8');
}

/** The subgraph's schema as its SDL and resolvers make it, without the access rules. */
export function buildUnguardedSchema<L>(definition: SubgraphDefinition<L>): GraphQLSchema {
  return buildSubgraphSchema({
    typeDefs: parse(readSdl(definition)),
    resolvers: { ...scalarResolvers, ...definition.resolvers } as GraphQLResolverMap<unknown>,
  });
}

/**
 * Checks the subgraph's policy, the agreements it owns and its role policy (schema/roles); throws
 * naming file and problem. Returns the role policy checked.
 */
export function checkAgreements<L>(
  definition: SubgraphDefinition<L>,
  agreements: Agreement[],
  schema = buildUnguardedSchema(definition),
  roles: RolePolicy = loadRolePolicies()[definition.name],
): RolePolicy {
  const problems = checkPolicy(schema, definition.policy);
  if (problems.length) throw new AgreementError(`subgraphs/${definition.name}/policy.ts: ${problems.join('; ')}`);
  for (const agreement of agreements) if (agreement.dataOwner === definition.name) checkAgainstSubgraph(agreement, schema, definition.policy);
  checkRolePolicy(roles, schema, definition.policy);
  return roles;
}

/** The schema every request runs against: graphql-shield rules compiled from the agreements and the role policy. */
export function buildSchema<L>(definition: SubgraphDefinition<L>, agreements: Agreement[], executor?: PolicyExecutor, roles?: RolePolicy): GraphQLSchema {
  const schema = buildUnguardedSchema(definition);
  const checked = checkAgreements(definition, agreements, schema, roles);
  // Beneath the access rules, so a refused caller learns nothing: argument bounds, then the
  // mutation's idempotency scope (its transaction claims the key; lib/writes.ts).
  limitInputs(scopeMutationsByIdempotencyKey(schema));
  return guardSchema(schema, compilePolicy(schema, definition.policy, agreements, checked), executor);
}

/** Adds the notices released data must carry (42 CFR 2.32) to the response's extensions. */
function noticesPlugin<L>(): ApolloServerPlugin<SubgraphContext<L>> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          const notices = contextValue.policy?.notices;
          if (!notices?.size || response.body.kind !== 'single' || response.body.singleResult.data === null) return;
          response.body.singleResult.extensions = {
            ...response.body.singleResult.extensions,
            redisclosureNotices: [...notices],
          };
        },
      };
    },
  };
}

/**
 * `X-Withheld-Fields: fail`, enforced here for this subgraph's part (whichever router forwarded
 * the header): a withheld field means no data (its root fields and entities null, with the
 * reason at each), and the releases decided are withdrawn from the
 * disclosure log (nothing left); the refusals are still logged, a write made still stands.
 */
function allOrNothingPlugin<L>(agency: string): ApolloServerPlugin<SubgraphContext<L>> {
  return {
    async requestDidStart({ request }) {
      if (!asksAllOrNothing(request.http?.headers.get(WITHHOLDING_HEADER))) return;
      return {
        async willSendResponse({ contextValue, response, schema, operation }) {
          if (response.body.kind !== 'single') return;
          const refused = allOrNothingSubgraphResult(response.body.singleResult, agency, (key) => rootFieldNullable(schema, operation, key));
          if (!refused) return;
          response.body.singleResult = refused;
          contextValue.disclosures?.withdrawReleases();
        },
      };
    },
  };
}

/** Whether the root field answering `responseKey` may be null (false when it can't be told: a root fragment). */
function rootFieldNullable(schema: GraphQLSchema, operation: OperationDefinitionNode | undefined, responseKey: string): boolean {
  const root = operation?.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
  for (const selection of operation?.selectionSet.selections ?? []) {
    if (selection.kind !== Kind.FIELD || (selection.alias ?? selection.name).value !== responseKey) continue;
    const field = root?.getFields()[selection.name.value];
    return field !== undefined && !isNonNullType(field.type);
  }
  return false;
}

/** A request stopped (deadline, caller gone, field cap) answers with why, and no data. */
function stoppedRequestPlugin<L>(): ApolloServerPlugin<SubgraphContext<L>> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          const stopped = contextValue.deadline?.stopped;
          if (!stopped || response.body.kind !== 'single') return;
          response.body.singleResult = { data: null, errors: [stopped] };
        },
      };
    },
  };
}

export function createSubgraphServer<L>(
  definition: SubgraphDefinition<L>,
  agreements: Agreement[],
  executor?: PolicyExecutor,
  limiter: OperationLimiter = subgraphLimiter(definition),
): ApolloServer<SubgraphContext<L>> {
  const { limits } = limiter;
  return new ApolloServer<SubgraphContext<L>>({
    schema: buildSchema(definition, agreements, executor),
    // No "Did you mean ...": the schema is not the caller's to explore.
    hideSchemaDetailsFromClientErrors: true,
    parseOptions: { maxTokens: limits.maxTokens },
    introspection: introspectionEnabled(),
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    formatError,
    // The processes that start servers handle signals (bin/start.ts, */main.ts).
    stopOnTerminationSignals: false,
    // No inline tracing or cache-control hints: both instrument every field, and neither is used.
    plugins: [
      // A direct caller is held to the same limits as the gateway, before anything is validated.
      limiter.plugin<SubgraphContext<L>>(),
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      // Before the notices (no data, no notice) and the log (synchronously, before it writes).
      allOrNothingPlugin<L>(definition.name),
      noticesPlugin<L>(),
      // Before the disclosure log: a stopped request answers with its stop, and nothing is logged.
      stoppedRequestPlugin<L>(),
      disclosureLogPlugin<SubgraphContext<L>>(definition.name),
      requestIdPlugin<SubgraphContext<L>>(),
    ],
  });
}

/** The operation limits of a subgraph, with the list sizes of its own SDL. */
export function subgraphLimiter<L>(definition: SubgraphDefinition<L>, limits: OperationLimits = operationLimits()): OperationLimiter {
  return new OperationLimiter({ limits, sdl: readSdl(definition) });
}

let defaultClock: Clock | undefined;

/** Today in the policy time zone, by the real clock. */
export function today(): string {
  return (defaultClock ??= systemClock()).today();
}

/** A request's loaders and policy state, for a verified caller. */
export function contextFor<L>(
  definition: SubgraphDefinition<L>,
  db: DataSource,
  caller: Caller,
  requestId: string,
  clock: Clock = (defaultClock ??= systemClock()),
  deadline?: RequestDeadline,
): SubgraphContext<L> {
  const batches = new RequestBatches(deadline);
  const now = clock.now();
  return {
    deadline,
    db,
    loaders: definition.createLoaders(db, batches),
    batches,
    caller,
    requestId,
    policy: { today: clock.today(), now, decisions: new Map(), consents: consentLoader(batches, db, caller.agency), knownConsents: new Map(), notices: new Set() },
    disclosures: new DisclosureCollector(),
    clock,
  };
}

/** Verifies the caller (401 otherwise) and sets up the request's context. */
export async function createContext<L>(
  definition: SubgraphDefinition<L>,
  db: DataSource,
  request: http.IncomingMessage,
  verify: Verifier,
  clock?: Clock,
  deadline?: RequestDeadline,
): Promise<SubgraphContext<L>> {
  const caller = await verify(request.headers.authorization);
  const idempotencyKey = idempotencyKeyOf(request.headers[IDEMPOTENCY_HEADER]);
  return { ...contextFor(definition, db, caller, requestIdOf(request), clock, deadline), idempotencyKey };
}

/** A request's deadline at a subgraph: the caller's remaining budget, at most the subgraph's own maximum. */
export function subgraphDeadline(request: http.IncomingMessage): RequestDeadline {
  return new RequestDeadline(budgetFromHeader(request.headers[DEADLINE_HEADER], subgraphRequestTimeoutMs()), maxResponseFields());
}

/** Whether the database answers `SELECT 1` within `timeoutMs` (a pool that waits counts as down). */
export async function databaseHealth(db: DataSource, timeoutMs = 2_000): Promise<HealthReport> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      db.query('SELECT 1'),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), timeoutMs))),
    ]);
    return { status: 'ok', database: 'up' };
  } catch {
    return { status: 'unavailable', database: 'down' };
  } finally {
    clearTimeout(timer);
  }
}

export interface SubgraphServerOptions {
  host: string;
  port: number;
  verify: Verifier;
  agreements: Agreement[];
  /** Which executor runs the compiled rules; defaults to POLICY_EXECUTOR (sync). */
  executor?: PolicyExecutor;
  /** The policy clock; defaults to the real one in POLICY_TIME_ZONE. */
  clock?: Clock;
}

/** Serves one agency's subgraph over HTTP on its own data source. */
export async function startSubgraph<L>(definition: SubgraphDefinition<L>, db: DataSource, options: SubgraphServerOptions): Promise<RunningServer> {
  // Never serve as a superuser or as a role that could switch off the log's guards.
  await assertServiceRole(db);
  const limiter = subgraphLimiter(definition);
  const apollo = createSubgraphServer(definition, options.agreements, options.executor, limiter);
  await apollo.start();
  const running = await serve({
    apollo,
    // Operation limits, before Apollo parses, validates or resolves anything: a direct caller is held to them too.
    screen: limiter.screen,
    context: (request, deadline) => createContext(definition, db, request, options.verify, options.clock, deadline),
    health: async () => ({ service: definition.name, ...(await databaseHealth(db)) }),
    ready: async () => ({ service: definition.name, ...(await databaseHealth(db)) }),
    deadline: subgraphDeadline,
    answerWhenStopped: true,
    host: options.host,
    port: options.port,
  });
  return {
    ...running,
    close: async (graceMs?: number) => {
      await running.close(graceMs);
      await apollo.stop();
    },
  };
}
