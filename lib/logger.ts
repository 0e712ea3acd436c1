import pino from 'pino';

/** Structured logs on stdout; LOG_LEVEL=silent in tests. */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { service: 'dv-case-graph' },
  redact: ['req.headers.authorization', 'authorization'],
});
