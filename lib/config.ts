/**
 * Every setting the gateway and the subgraphs read from the environment, in one place.
 * docker-compose.yml wires services through these same variable names (a test checks it).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { OperationLimits } from './operation-limits';
import { ROOT } from './paths';

export const AGENCIES = ['courts', 'housing', 'counseling', 'probation'] as const;
export type AgencyName = (typeof AGENCIES)[number];
/**
 * Every subgraph: the four agencies that keep records, and the outcomes service (the honest broker
 * that reads them through the gateway and answers analysts with aggregates). Each has its own
 * database, port, role policy and agreements; `outcomes` is also an agency callers' tokens may name.
 */
export const SERVICES = [...AGENCIES, 'outcomes'] as const;
export type ServiceName = (typeof SERVICES)[number];

export const DEFAULT_SUBGRAPH_PORTS: Record<ServiceName, number> = {
  courts: 4001,
  housing: 4002,
  counseling: 4003,
  probation: 4004,
  outcomes: 4005,
};
export const DEFAULT_GATEWAY_PORT = 4000;

/**
 * Node flags every service runs with in production (package.json's start scripts, the Dockerfile's
 * NODE_OPTIONS, bench:gateway). A young generation of up to 32 MB per semi-space instead of 16:
 * a subgraph answering a caseload keeps its rows, loaders and half-built response alive across
 * many small collections, each copying them again; with room for a whole request, most die
 * before a collection. Measured with bench:gateway: the subgraphs' CPU per Caseload(50) 15–30%
 * lower, at most 48 MB more memory per process.
 */
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=32'] as const;

type Env = Record<string, string | undefined>;

/** `COURTS`, `HOUSING`, ... : the prefix of an agency's own variables. */
export function envPrefix(agency: ServiceName): string {
  return agency.toUpperCase();
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function port(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new ConfigError(`${name} must be a TCP port (0-65535), got "${raw}"`);
  }
  return value;
}

/** Host the HTTP servers bind to: loopback unless told otherwise (containers set 0.0.0.0). */
export function bindHost(env: Env = process.env): string {
  return env.HOST || '127.0.0.1';
}

export function subgraphPort(agency: ServiceName, env: Env = process.env): number {
  return port(env, `${envPrefix(agency)}_PORT`, DEFAULT_SUBGRAPH_PORTS[agency]);
}

export function gatewayPort(env: Env = process.env): number {
  return port(env, 'GATEWAY_PORT', DEFAULT_GATEWAY_PORT);
}

/** Where the gateway reaches an agency's subgraph. */
export function subgraphUrl(agency: ServiceName, env: Env = process.env): string {
  return (
    env[`${envPrefix(agency)}_URL`] || `http://localhost:${subgraphPort(agency, env)}/graphql`
  );
}

/**
 * The PostgreSQL connection string of an agency's own database, or undefined when none is
 * configured (then `npm start` runs the embedded database).
 *   COURTS_DATABASE_URL=postgres://...      one database per agency, anywhere
 *   DATABASE_URL=postgres://host:5432       one server, databases `${DATABASE_PREFIX}courts`, ...
 */
export function databaseUrl(agency: ServiceName, env: Env = process.env): string | undefined {
  const own = env[`${envPrefix(agency)}_DATABASE_URL`];
  if (own) return own;
  const shared = env.DATABASE_URL;
  if (!shared) return undefined;
  let url: URL;
  try {
    url = new URL(shared);
  } catch {
    throw new ConfigError('DATABASE_URL is not a valid URL (expected postgres://user@host:port)');
  }
  url.pathname = `/${databasePrefix(env)}${agency}`;
  return url.toString();
}

export function databasePrefix(env: Env = process.env): string {
  const prefix = env.DATABASE_PREFIX ?? 'dv_';
  if (!/^[a-z0-9_]*$/.test(prefix)) {
    throw new ConfigError(`DATABASE_PREFIX may hold only a-z, 0-9 and _, got "${prefix}"`);
  }
  return prefix;
}

/**
 * How an agency's service reaches its database (see lib/agency-database.ts, README "Database roles"):
 *   <AGENCY>_DATABASE_URL (+ <AGENCY>_MIGRATION_DATABASE_URL)  the application role (+ the owner role,
 *                                    to migrate): production; nothing is provisioned
 *   DATABASE_URL                      a superuser: the code creates the database and both roles
 */
export function agencyDatabaseConfig(
  agency: ServiceName,
  env: Env = process.env,
): { kind: 'admin'; adminUrl: string } | { kind: 'roles'; serviceUrl: string; migrationUrl?: string } | undefined {
  const prefix = envPrefix(agency);
  const own = env[`${prefix}_DATABASE_URL`];
  const migration = env[`${prefix}_MIGRATION_DATABASE_URL`];
  for (const [name, value] of [[`${prefix}_DATABASE_URL`, own], [`${prefix}_MIGRATION_DATABASE_URL`, migration]] as const) {
    if (!value) continue;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new ConfigError(`${name} is not a valid URL (expected postgres://user:password@host:port/database)`);
    }
    if (!url.username) throw new ConfigError(`${name} must name the database role to connect as`);
  }
  if (migration && !own) {
    throw new ConfigError(`${prefix}_MIGRATION_DATABASE_URL is set without ${prefix}_DATABASE_URL (the application role's URL)`);
  }
  if (own) {
    if (migration && new URL(migration).username === new URL(own).username) {
      throw new ConfigError(`${prefix}_DATABASE_URL and ${prefix}_MIGRATION_DATABASE_URL must name different roles (application, owner)`);
    }
    return {
      kind: 'roles',
      serviceUrl: withPasswordFile(own, `${prefix}_DATABASE_PASSWORD_FILE`, env),
      migrationUrl: migration ? withPasswordFile(migration, `${prefix}_MIGRATION_DATABASE_PASSWORD_FILE`, env) : undefined,
    };
  }
  const admin = databaseUrl(agency, env);
  return admin ? { kind: 'admin', adminUrl: admin } : undefined;
}

/** `url` with the password read from the file `variable` names (a Docker secret), when set. */
function withPasswordFile(url: string, variable: string, env: Env): string {
  const file = env[variable];
  if (!file) return url;
  let password: string;
  try {
    password = fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new ConfigError(`${variable} ${file} could not be read: ${(error as Error).message}`);
  }
  if (!password) throw new ConfigError(`${variable} ${file} is empty`);
  const u = new URL(url);
  u.password = encodeURIComponent(password);
  return u.toString();
}

/** True when every agency has a real PostgreSQL database configured. */
export function hasConfiguredDatabases(env: Env = process.env): boolean {
  return SERVICES.every((a) => databaseUrl(a, env) !== undefined);
}

/** Git-ignored folder for the embedded database and development keys. */
export function dataDir(env: Env = process.env): string {
  return path.resolve(env.DATA_DIR || path.join(ROOT, '.data'));
}

/** Milliseconds the gateway waits for a subgraph before giving up on that fetch. */
export function subgraphTimeoutMs(env: Env = process.env): number {
  const raw = env.SUBGRAPH_TIMEOUT_MS;
  if (!raw) return 30_000;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new ConfigError(`SUBGRAPH_TIMEOUT_MS must be a positive integer, got "${raw}"`);
  }
  return value;
}

function positiveInteger(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new ConfigError(`${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}

/** The gateway's deadline for a whole request (ms): its subgraph fetches are aborted past it. */
export function requestTimeoutMs(env: Env = process.env): number {
  return positiveInteger(env, 'REQUEST_TIMEOUT_MS', 30_000);
}

/** The longest a subgraph works on one request (ms), whatever deadline its caller sends. */
export function subgraphRequestTimeoutMs(env: Env = process.env): number {
  return positiveInteger(env, 'SUBGRAPH_REQUEST_TIMEOUT_MS', 30_000);
}

/** PostgreSQL `statement_timeout` (ms) of an agency's connections: `<AGENCY>_STATEMENT_TIMEOUT_MS`, else `STATEMENT_TIMEOUT_MS`. */
export function statementTimeoutMs(agency: ServiceName, env: Env = process.env): number {
  const own = `${envPrefix(agency)}_STATEMENT_TIMEOUT_MS`;
  if (env[own]) return positiveInteger(env, own, 30_000);
  return positiveInteger(env, 'STATEMENT_TIMEOUT_MS', 30_000);
}

/**
 * Cases `npm start` seeds into empty databases: `SEED_CASES`, default 2,000 — enough that the
 * outcome metrics' main comparisons (e.g. recidivism of completers and non-completers) are not
 * small cells.
 */
export function seedCases(env: Env = process.env): number {
  return positiveInteger(env, 'SEED_CASES', 2000);
}

/** Fields a subgraph resolves for one request at most; past it the response is refused (RESPONSE_TOO_LARGE). */
export function maxResponseFields(env: Env = process.env): number {
  return positiveInteger(env, 'MAX_RESPONSE_FIELDS', 250_000);
}

/** Bytes of one subgraph response the gateway reads at most (RESPONSE_TOO_LARGE past it). */
export function maxSubgraphResponseBytes(env: Env = process.env): number {
  return positiveInteger(env, 'MAX_SUBGRAPH_RESPONSE_BYTES', 16 * 1024 * 1024);
}

/** On SIGTERM, how long (ms) requests in flight may take to finish before they are cut off. */
export function shutdownGraceMs(env: Env = process.env): number {
  return positiveInteger(env, 'SHUTDOWN_GRACE_MS', 10_000);
}

/** How often (ms) the outcomes service refreshes its snapshot; 0 turns the timer off (`npm run outcomes:refresh` still works). */
export function outcomesRefreshIntervalMs(env: Env = process.env): number {
  const raw = env.OUTCOMES_REFRESH_INTERVAL_MS;
  if (raw === '0') return 0;
  return positiveInteger(env, 'OUTCOMES_REFRESH_INTERVAL_MS', 3_600_000);
}

/** Where the outcomes service reaches the gateway (it reads the agencies' records through it). */
export function outcomesGatewayUrl(env: Env = process.env): string {
  return env.OUTCOMES_GATEWAY_URL || `http://localhost:${gatewayPort(env)}/graphql`;
}

/** Introspection is off unless explicitly enabled (as Apollo Router does). */
export function introspectionEnabled(env: Env = process.env): boolean {
  return env.GRAPHQL_INTROSPECTION === 'true';
}

/**
 * Development tools at the gateway (the token endpoint `/dev/token`, `/dev/vocabulary`, the
 * explorer `/explorer`): `DEV_TOOLS=on|off`; on by default unless `NODE_ENV=production`. They sign
 * any identity asked for, so a production gateway serves them only when told to explicitly.
 */
export function devToolsEnabled(env: Env = process.env): boolean {
  const raw = (env.DEV_TOOLS ?? '').trim().toLowerCase();
  if (raw === '') return env.NODE_ENV !== 'production';
  if (raw === 'on') return true;
  if (raw === 'off') return false;
  throw new ConfigError(`DEV_TOOLS must be "on" or "off", got "${env.DEV_TOOLS}"`);
}

/** Operation limits (lib/operation-limits.ts): the variable and default of each. */
export const OPERATION_LIMIT_VARIABLES: Record<keyof OperationLimits, { variable: string; fallback: number }> = {
  maxDepth: { variable: 'OPERATION_MAX_DEPTH', fallback: 8 },
  maxAliases: { variable: 'OPERATION_MAX_ALIASES', fallback: 10 },
  maxRootFields: { variable: 'OPERATION_MAX_ROOT_FIELDS', fallback: 5 },
  maxDirectives: { variable: 'OPERATION_MAX_DIRECTIVES', fallback: 10 },
  maxTokens: { variable: 'OPERATION_MAX_TOKENS', fallback: 1500 },
  maxFields: { variable: 'OPERATION_MAX_FIELDS', fallback: 500 },
  maxCost: { variable: 'OPERATION_MAX_COST', fallback: 4_000_000 },
};

/** The operation limits the gateway and every subgraph enforce, each a positive integer. */
export function operationLimits(env: Env = process.env): OperationLimits {
  const limits = {} as OperationLimits;
  for (const [key, { variable, fallback }] of Object.entries(OPERATION_LIMIT_VARIABLES) as [keyof OperationLimits, { variable: string; fallback: number }][]) {
    const raw = env[variable];
    if (raw === undefined || raw === '') {
      limits[key] = fallback;
      continue;
    }
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isFinite(value) || value <= 0) {
      throw new ConfigError(`${variable} must be a positive integer, got "${raw}"`);
    }
    limits[key] = value;
  }
  return limits;
}

/** The variables this code reads; docker-compose.yml may use only these. */
export const KNOWN_VARIABLES: readonly string[] = [
  'HOST',
  'GATEWAY_PORT',
  'DATABASE_URL',
  'DATABASE_PREFIX',
  'DATA_DIR',
  'SUBGRAPH_TIMEOUT_MS',
  'REQUEST_TIMEOUT_MS',
  'SUBGRAPH_REQUEST_TIMEOUT_MS',
  'STATEMENT_TIMEOUT_MS',
  'MAX_RESPONSE_FIELDS',
  'MAX_SUBGRAPH_RESPONSE_BYTES',
  'SHUTDOWN_GRACE_MS',
  'GRAPHQL_INTROSPECTION',
  'POLICY_EXECUTOR',
  'LOG_LEVEL',
  'SEED_CASES',
  'JWT_ISSUER',
  'JWT_AUDIENCE',
  'JWT_MAX_AGE_SECONDS',
  'VERIFIED_TOKEN_CACHE',
  'JWT_PUBLIC_JWKS',
  'JWT_PUBLIC_JWKS_FILE',
  'JWT_JWKS_URL',
  'JWT_KEYS_COOLDOWN_MS',
  'JWT_JWKS_CACHE_MAX_AGE_MS',
  'JWT_JWKS_TIMEOUT_MS',
  'POLICY_TIME_ZONE',
  'JWT_PRIVATE_JWK_FILE',
  'NODE_ENV',
  'DEV_TOOLS',
  ...Object.values(OPERATION_LIMIT_VARIABLES).map((l) => l.variable),
  'IDEMPOTENCY_KEY_RETENTION_HOURS',
  'INPUT_MAX_STRING_LENGTH',
  'INPUT_MAX_LIST_LENGTH',
  'OUTCOMES_REFRESH_INTERVAL_MS',
  'OUTCOMES_PSEUDONYM_KEY_FILE',
  'OUTCOMES_SERVICE_TOKEN_FILE',
  'OUTCOMES_PAGE_SIZE',
  'OUTCOMES_GATEWAY_URL',
  ...SERVICES.flatMap((a) => [
    `${envPrefix(a)}_PORT`,
    `${envPrefix(a)}_URL`,
    `${envPrefix(a)}_DATABASE_URL`,
    `${envPrefix(a)}_MIGRATION_DATABASE_URL`,
    `${envPrefix(a)}_DATABASE_PASSWORD_FILE`,
    `${envPrefix(a)}_MIGRATION_DATABASE_PASSWORD_FILE`,
    `${envPrefix(a)}_STATEMENT_TIMEOUT_MS`,
  ]),
];
