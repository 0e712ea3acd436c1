/**
 * npm run --silent query -- <operation.graphql> [--var name=value ...] [--url URL] [--token TOKEN]
 * Posts an operation file to the gateway and prints the JSON response.
 */
import fs from 'node:fs';
import { gatewayPort } from '../lib/config';

function parseArgs(argv: string[]) {
  let file: string | undefined;
  let url = process.env.GATEWAY_URL || `http://localhost:${gatewayPort()}/graphql`;
  let token = process.env.TOKEN;
  const variables: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--var') {
      const [name, ...rest] = (argv[++i] ?? '').split('=');
      const raw = rest.join('=');
      variables[name] = /^-?\d+$/.test(raw) ? Number(raw) : raw;
    } else if (arg === '--url') url = argv[++i];
    else if (arg === '--token') token = argv[++i];
    else file = arg;
  }
  if (!file) throw new Error('usage: query <operation.graphql> [--var name=value ...] [--url URL] [--token TOKEN]');
  return { file, url, token, variables };
}

async function main(): Promise<void> {
  const { file, url, token, variables } = parseArgs(process.argv.slice(2));
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: fs.readFileSync(file, 'utf8'), variables }),
  });
  console.log(JSON.stringify(await response.json(), null, 2));
  if (!response.ok) process.exitCode = 1;
}

main().catch((error) => {
  console.error((error as Error).message);
  process.exit(1);
});
