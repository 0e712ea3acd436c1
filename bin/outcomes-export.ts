/**
 * npm run --silent outcomes:export -- --metric recidivism --by COURT,COMPLETION [--year 2026 [--quarter 2]]
 * One outcome metric's table as CSV on stdout, asked through the gateway with $TOKEN (an analyst's).
 */
import { gatewayPort } from '../lib/config';
import { UsageError, exportQuery, parseExportArgs, tableToCsv } from '../subgraphs/outcomes/export';

async function main(): Promise<void> {
  const args = parseExportArgs(process.argv.slice(2));
  const token = process.env.TOKEN;
  if (!token) throw new UsageError('set TOKEN to an analyst token (npm run --silent token -- --agency courts --role analyst --purpose research)');
  const url = process.env.GATEWAY_URL || `http://localhost:${gatewayPort()}/graphql`;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: exportQuery(args.metric),
      variables: { by: args.by, period: args.year === undefined ? null : { year: args.year, quarter: args.quarter ?? null } },
    }),
  });
  const body = (await response.json()) as { data?: { outcomes?: Record<string, any> | null }; errors?: { message: string; extensions?: { code?: string } }[] };
  const table = body.data?.outcomes?.[args.metric];
  if (!table) {
    const error = body.errors?.[0];
    throw new Error(`no table: HTTP ${response.status}${error ? ` ${error.extensions?.code ?? ''} ${error.message}` : ''}`);
  }
  process.stdout.write(tableToCsv(table, args.by));
}

main().catch((error) => {
  console.error((error as Error).message);
  process.exit(error instanceof UsageError ? 2 : 1);
});
