/**
 * The gateway connects to its subgraphs and nowhere else. @apollo/gateway on its own probes cloud
 * metadata addresses at start and reports usage to Apollo every hour (its APOLLO_TELEMETRY_DISABLED
 * switch); gateway/gateway.ts turns that off whatever the environment says.
 */
import net from 'node:net';
import { ApolloGateway } from '@apollo/gateway';
import { SERVICES, ServiceName } from '../lib/config';
import { createGateway } from '../gateway/gateway';

const subgraphUrls = Object.fromEntries(SERVICES.map((s, i) => [s, `http://127.0.0.1:${4901 + i}/graphql`])) as Record<ServiceName, string>;

/** Every host a socket is opened to while `body` runs and for `settleMs` after. */
async function connectionsDuring(body: () => Promise<void>, settleMs: number): Promise<string[]> {
  const seen: string[] = [];
  const connect = net.Socket.prototype.connect;
  const spy = jest.spyOn(net.Socket.prototype, 'connect').mockImplementation(function (this: net.Socket, ...args: unknown[]) {
    const [first] = args as [unknown];
    const target = Array.isArray(first) ? first[0] : first;
    const options = (typeof target === 'object' && target !== null ? target : {}) as { host?: string; port?: number; path?: string };
    seen.push(options.path ?? `${options.host ?? 'localhost'}:${options.port ?? ''}`);
    return connect.apply(this, args as never);
  });
  try {
    await body();
    await new Promise((resolve) => setTimeout(resolve, settleMs));
  } finally {
    spy.mockRestore();
  }
  return seen;
}

describe('nothing leaves the gateway but subgraph fetches', () => {
  const previous = process.env.APOLLO_TELEMETRY_DISABLED;
  afterEach(() => {
    if (previous === undefined) delete process.env.APOLLO_TELEMETRY_DISABLED;
    else process.env.APOLLO_TELEMETRY_DISABLED = previous;
  });

  it('makes no connection at start, even with APOLLO_TELEMETRY_DISABLED unset or false', async () => {
    process.env.APOLLO_TELEMETRY_DISABLED = 'false';
    let gateway: ApolloGateway | undefined;
    const seen = await connectionsDuring(async () => {
      gateway = createGateway({ subgraphUrls, host: '127.0.0.1', port: 0, timeoutMs: 1000, verify: async () => { throw new Error('unused'); } });
      await gateway.load();
    }, 1_500);
    await gateway?.stop();
    expect(seen).toEqual([]);
    expect(process.env.APOLLO_TELEMETRY_DISABLED).toBe('true');
  });

  it('(the check works: stock @apollo/gateway with telemetry on does connect out)', async () => {
    process.env.APOLLO_TELEMETRY_DISABLED = 'false';
    let gateway: ApolloGateway | undefined;
    const { readCommittedSupergraph } = await import('../lib/composition');
    const seen = await connectionsDuring(async () => {
      gateway = new ApolloGateway({ supergraphSdl: readCommittedSupergraph() });
      await gateway.load();
    }, 1_500);
    await gateway?.stop();
    expect(seen.length).toBeGreaterThan(0);
  });
});
