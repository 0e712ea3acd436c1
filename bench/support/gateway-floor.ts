/**
 * The floor under any gateway built on Apollo Server and @apollo/gateway: what they cost for an
 * operation when nothing else runs. In this process, an ApolloServer over an ApolloGateway whose
 * data sources answer every fetch from a recording of the real subgraphs' answers (recorded once
 * with the caller's token, then parsed anew for every fetch, as a fetch would). Measured: Apollo
 * Server's request pipeline (its parse and validation cached), the executor running the cached
 * query plan (merging the answers, mapping the subgraphs' errors, without stack traces, shaping
 * the result), Apollo's error formatting, and the JSON serialization of the response. Not in it:
 * HTTP on either side, token verification, the operation-limit screen, logging.
 *
 * bench/gateway.ts --floor prints it beside both gateways' figures: whatever a gateway built on
 * these two adds, its CPU per request can't go below this.
 */
import { ApolloServer } from '@apollo/server';
import { ApolloGateway, GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
// The errors' stacks are left out as this gateway leaves them out.
import { StacklessErrors } from '../../gateway/gateway';

type GraphQLResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

interface FloorContext {
  token: string;
}

/** Records each fetch's answer (by subgraph, caller, operation and variables), then replays it. */
class ReplayingDataSource implements GraphQLDataSource<FloorContext> {
  readonly answers = new Map<string, string>();
  replaying = false;
  /** Replay the answers without their errors (the refusals): what the rest costs. */
  withoutErrors = false;

  constructor(private readonly url: string) {}

  async process(options: GraphQLDataSourceProcessOptions<FloorContext>): Promise<GraphQLResponse> {
    const { query, variables } = options.request;
    const key = `${options.context.token}\u0000${query}\u0000${JSON.stringify(variables ?? {})}`;
    let text = this.answers.get(key);
    if (text === undefined) {
      if (this.replaying) throw new Error(`no recorded answer from ${this.url} for a fetch`);
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${options.context.token}` },
        body: JSON.stringify({ query, variables }),
      });
      text = await response.text();
      this.answers.set(key, text);
    }
    const body = JSON.parse(text) as GraphQLResponse;
    if (this.withoutErrors) delete (body as { errors?: unknown }).errors;
    if (body.errors && body.errors.length > 0) {
      const errors = new StacklessErrors<(typeof body.errors)[number]>();
      for (const error of body.errors) errors.push(error);
      (body as { errors: unknown }).errors = errors;
    }
    return body;
  }
}

export interface FloorCase {
  key: string;
  token: string;
  query: string;
  variables: Record<string, unknown>;
}

/**
 * CPU ms per request for each case: `repeat` requests after a recording and a warm-up pass; the
 * response of each is serialized with JSON.stringify as an HTTP server would. `withoutErrors`
 * replays the subgraphs' answers without their errors (for a caseload, mostly refusals): what
 * the executor would cost if refusals cost it nothing.
 */
export async function measureFloor(
  supergraphSdl: string,
  subgraphUrls: Record<string, string>,
  cases: FloorCase[],
  repeat: number,
  options: { withoutErrors?: boolean } = {},
): Promise<Map<string, number>> {
  const sources = new Map<string, ReplayingDataSource>();
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name }) => {
      const source = new ReplayingDataSource(subgraphUrls[name]);
      sources.set(name, source);
      return source;
    },
  });
  const apollo = new ApolloServer<FloorContext>({ gateway, includeStacktraceInErrorResponses: false, hideSchemaDetailsFromClientErrors: true });
  await apollo.start();
  const run = async (c: FloorCase) => {
    const response = await apollo.executeOperation({ query: c.query, variables: c.variables }, { contextValue: { token: c.token } });
    if (response.body.kind !== 'single' || !response.body.singleResult.data) throw new Error(`${c.key}: the floor's request returned no data`);
    return JSON.stringify(response.body.singleResult).length;
  };
  try {
    for (const c of cases) await run(c); // record
    for (const source of sources.values()) {
      source.replaying = true;
      source.withoutErrors = options.withoutErrors ?? false;
    }
    const figures = new Map<string, number>();
    for (const c of cases) {
      for (let i = 0; i < Math.max(3, repeat / 4); i++) await run(c); // warm-up
      const before = process.cpuUsage();
      for (let i = 0; i < repeat; i++) await run(c);
      const used = process.cpuUsage(before);
      figures.set(c.key, (used.user + used.system) / 1000 / repeat);
    }
    return figures;
  } finally {
    await apollo.stop();
  }
}
