/**
 * The case graph served by GraphQL Hive Gateway instead of this project's gateway, in front of
 * subgraphs running elsewhere (COURTS_URL, …), on GATEWAY_PORT: `npm run start:hive-gateway`.
 * Configured with every guarantee a router can carry (routers/hive-gateway.ts): headers
 * forwarded, 401 before planning, all or nothing over the whole response.
 */
import { AGENCIES, AgencyName, bindHost, gatewayPort, subgraphUrl } from '../lib/config';
import { logger } from '../lib/logger';
import { authSettings, createVerifier } from '../lib/auth/identity';
import { loadKeySource } from '../lib/auth/key-source';
import { readCommittedSupergraph } from '../lib/composition';
import { startHiveGateway } from './hive-gateway';

loadKeySource()
  .then((keys) =>
    startHiveGateway({
      supergraphSdl: readCommittedSupergraph(),
      subgraphUrls: Object.fromEntries(AGENCIES.map((a) => [a, subgraphUrl(a)])) as Record<AgencyName, string>,
      host: bindHost(),
      port: gatewayPort(),
      verify: createVerifier(authSettings(keys)),
      allOrNothing: true,
    }),
  )
  .then((router) => {
    logger.info({ url: router.url }, 'Hive Gateway listening');
    const stop = () => router.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  })
  .catch((error) => {
    logger.fatal({ err: error }, 'Hive Gateway failed to start');
    process.exit(1);
  });
