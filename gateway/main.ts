/** Starts the gateway on its own (the subgraphs run elsewhere): npm run start:gateway */
import { AGENCIES, AgencyName, bindHost, gatewayPort, subgraphTimeoutMs, subgraphUrl } from '../lib/config';
import { logger } from '../lib/logger';
import { startGateway } from './gateway';

startGateway({
  subgraphUrls: Object.fromEntries(AGENCIES.map((a) => [a, subgraphUrl(a)])) as Record<AgencyName, string>,
  host: bindHost(),
  port: gatewayPort(),
  timeoutMs: subgraphTimeoutMs(),
})
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
