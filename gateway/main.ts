/** Starts the gateway on its own (the subgraphs run elsewhere): npm run start:gateway */
import { AGENCIES, AgencyName, bindHost, gatewayPort, subgraphTimeoutMs, subgraphUrl } from '../lib/config';
import { logger } from '../lib/logger';
import { authSettings, createVerifier } from '../lib/auth/identity';
import { loadKeySource } from '../lib/auth/key-source';
import { startGateway } from './gateway';

loadKeySource()
  .then((keys) =>
    startGateway({
      subgraphUrls: Object.fromEntries(AGENCIES.map((a) => [a, subgraphUrl(a)])) as Record<AgencyName, string>,
      host: bindHost(),
      port: gatewayPort(),
      timeoutMs: subgraphTimeoutMs(),
      verify: createVerifier(authSettings(keys)),
    }),
  )
  .then((server) => {
    logger.info({ url: server.url }, 'gateway listening');
    const stop = () => server.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  })
  .catch((error) => {
    logger.fatal({ err: error }, 'gateway failed to start');
    process.exit(1);
  });
