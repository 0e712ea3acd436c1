/** Starts the gateway on its own (the subgraphs run elsewhere): npm run start:gateway */
import { SERVICES, ServiceName, bindHost, gatewayPort, maxSubgraphResponseBytes, requestTimeoutMs, shutdownGraceMs, subgraphTimeoutMs, subgraphUrl } from '../lib/config';
import { logger } from '../lib/logger';
import { authSettings, createVerifier } from '../lib/auth/identity';
import { loadKeySource } from '../lib/auth/key-source';
import { startGateway } from './gateway';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../lib/paths';

/** The reference dashboard, when built (npm run build:dashboard; the Dockerfile builds it). */
const dashboardDir = path.join(ROOT, 'dashboard', 'dist');

loadKeySource()
  .then((keys) =>
    startGateway({
      subgraphUrls: Object.fromEntries(SERVICES.map((a) => [a, subgraphUrl(a)])) as Record<ServiceName, string>,
      host: bindHost(),
      port: gatewayPort(),
      timeoutMs: subgraphTimeoutMs(),
      requestTimeoutMs: requestTimeoutMs(),
      maxSubgraphResponseBytes: maxSubgraphResponseBytes(),
      verify: createVerifier(authSettings(keys)),
      dashboardDir: fs.existsSync(path.join(dashboardDir, 'index.html')) ? dashboardDir : undefined,
    }),
  )
  .then((server) => {
    logger.info({ url: server.url }, 'gateway listening');
    // SIGTERM: stop taking requests, let those in flight finish within SHUTDOWN_GRACE_MS, then exit.
    const stop = () => {
      logger.info('shutting down');
      server.close(shutdownGraceMs()).then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  })
  .catch((error) => {
    logger.fatal({ err: error }, 'gateway failed to start');
    process.exit(1);
  });
