/**
 * The gateway on its own: it serves from the committed supergraph (so it boots while subgraphs
 * are down), passes the caller's Authorization header on, times out slow subgraphs, and shows
 * callers no subgraph URL, stack trace or internal message.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { AGENCIES, AgencyName } from '../lib/config';
import { RunningServer } from '../lib/http-server';
import { startGateway } from '../gateway/gateway';
import { postGraphQL } from './support/stack';
import { CLERK, authHeader, tokenFor } from './support/tokens';
import { authSettings, createVerifier } from '../lib/auth/identity';
import { loadVerificationKeys } from '../lib/auth/keys';

interface FakeSubgraph {
  url: string;
  requests: { headers: http.IncomingHttpHeaders; body: any }[];
  close(): Promise<void>;
}

/** A stand-in subgraph that records what it is sent and answers with `reply`. */
async function fakeSubgraph(reply: (body: any) => { status?: number; json: unknown; delayMs?: number }): Promise<FakeSubgraph> {
  const requests: FakeSubgraph['requests'] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const body = JSON.parse(text);
      requests.push({ headers: req.headers, body });
      const { status = 200, json, delayMs = 0 } = reply(body);
      const timer = setTimeout(() => {
        timers.delete(timer);
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      }, delayMs);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on. */
async function deadUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/graphql`;
}

async function gatewayWith(urls: Partial<Record<AgencyName, string>>, timeoutMs = 30_000): Promise<RunningServer> {
  const dead = await deadUrl();
  const subgraphUrls = Object.fromEntries(AGENCIES.map((a) => [a, urls[a] ?? dead])) as Record<AgencyName, string>;
  const verify = createVerifier(authSettings(await loadVerificationKeys()));
  return startGateway({ subgraphUrls, host: '127.0.0.1', port: 0, timeoutMs, verify });
}

/** POSTs to the gateway as the courts' clerk. */
async function ask(url: string, query: string, headers: Record<string, string> = {}) {
  return postGraphQL(url, query, {}, { ...(await authHeader(CLERK)), ...headers });
}

const CASE_QUERY = '{ case(id: "00000000-0000-4000-8000-000000000000") { id docketNumber } }';

describe('gateway', () => {
  it('boots and answers /health while every subgraph is down, and says which service failed', async () => {
    const gateway = await gatewayWith({});
    try {
      const health = await fetch(gateway.url.replace('/graphql', '/health'));
      expect(health.status).toBe(200);
      const result = await ask(gateway.url, CASE_QUERY);
      expect(result.data).toEqual({ case: null });
      expect(result.errors).toHaveLength(1);
      const [error] = result.errors!;
      expect(error).toMatchObject({
        message: 'The courts service is unavailable; its part of the result is missing.',
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'courts' },
      });
      expect(JSON.stringify(error)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|stack/i);
    } finally {
      await gateway.close();
    }
  });

  it('passes the caller’s Authorization header, its own request id and the caller’s as a correlation id on to the subgraph', async () => {
    const courts = await fakeSubgraph(() => ({ json: { data: { case: { id: 'x', docketNumber: 'DV-1' } } } }));
    const gateway = await gatewayWith({ courts: courts.url });
    try {
      const result = await ask(gateway.url, CASE_QUERY, { 'x-request-id': 'req-42' });
      expect(result.data).toEqual({ case: { id: 'x', docketNumber: 'DV-1' } });
      expect(courts.requests).toHaveLength(1);
      expect(courts.requests[0].headers.authorization).toBe(`Bearer ${await tokenFor(CLERK)}`);
      // The gateway's own id (a UUID), never the client's; the client's travels as a correlation id.
      expect(courts.requests[0].headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(courts.requests[0].headers['x-correlation-id']).toBe('req-42');
      // The remaining budget of the request's deadline, in ms.
      expect(Number(courts.requests[0].headers['x-deadline-ms'])).toBeGreaterThan(0);
      expect(Number(courts.requests[0].headers['x-deadline-ms'])).toBeLessThanOrEqual(30_000);
    } finally {
      await gateway.close();
      await courts.close();
    }
  });

  it('gives up on a subgraph that does not answer within the timeout', async () => {
    const courts = await fakeSubgraph(() => ({ json: { data: { case: null } }, delayMs: 10_000 }));
    const gateway = await gatewayWith({ courts: courts.url }, 200);
    try {
      const started = Date.now();
      const result = await ask(gateway.url, CASE_QUERY);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(result.errors?.[0]).toMatchObject({
        message: 'The courts service did not answer within 200 ms; its part of the result is missing.',
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'courts' },
      });
    } finally {
      await gateway.close();
      await courts.close();
    }
  });

  it('passes a subgraph’s own error for the caller through, without its URL or body', async () => {
    const courts = await fakeSubgraph(() => ({
      status: 400,
      json: { errors: [{ message: 'Variable "$id" got invalid value', extensions: { code: 'BAD_USER_INPUT' } }] },
    }));
    const gateway = await gatewayWith({ courts: courts.url });
    try {
      const result = await ask(gateway.url, CASE_QUERY);
      expect(result.errors?.[0]).toMatchObject({ message: 'Variable "$id" got invalid value', extensions: { code: 'BAD_USER_INPUT' } });
      expect(JSON.stringify(result.errors)).not.toContain('127.0.0.1');
    } finally {
      await gateway.close();
      await courts.close();
    }
  });

  it('refuses a request body over 2 MB with 413, mutations over GET, and GET requests without a token', async () => {
    const gateway = await gatewayWith({});
    try {
      const big = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await authHeader(CLERK)) },
        body: JSON.stringify({ query: `{ __typename } # ${'x'.repeat(2 * 1024 * 1024)}` }),
      });
      expect(big.status).toBe(413);
      // A GET carrying Authorization cannot come from another site without a CORS preflight
      // (which the gateway never grants): served, as urql sends short queries. Mutations never.
      const query = await fetch(`${gateway.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: await authHeader(CLERK) });
      expect(query.status).toBe(200);
      const mutation = await fetch(`${gateway.url}?query=${encodeURIComponent('mutation { __typename }')}`, { headers: await authHeader(CLERK) });
      expect(mutation.status).toBe(405);
      // Without it, a simple request (one another site could send) is refused as possible CSRF.
      const simple = await fetch(`${gateway.url}?query=${encodeURIComponent('{ __typename }')}`);
      expect(simple.status).toBe(400);
      expect(await simple.text()).toContain('Cross-Site Request Forgery');
      const notFound = await fetch(gateway.url.replace('/graphql', '/nope'));
      expect(notFound.status).toBe(404);
    } finally {
      await gateway.close();
    }
  });
});
