import { authSettings } from '../../lib/auth/identity';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ConfigError,
  agencyDatabaseConfig,
  databaseUrl,
  hasConfiguredDatabases,
  maxResponseFields,
  maxSubgraphResponseBytes,
  requestTimeoutMs,
  seedCases,
  shutdownGraceMs,
  statementTimeoutMs,
  subgraphPort,
  subgraphRequestTimeoutMs,
  subgraphUrl,
} from '../../lib/config';
import { budgetFromHeader } from '../../lib/request-deadline';

describe('config', () => {
  it('seeds 2,000 demo cases unless SEED_CASES says otherwise, and names a bad value', () => {
    expect(seedCases({})).toBe(2000);
    expect(seedCases({ SEED_CASES: '200' })).toBe(200);
    for (const bad of ['abc', '0', '-5', '1.5']) expect(() => seedCases({ SEED_CASES: bad })).toThrow(`SEED_CASES must be a positive integer, got "${bad}"`);
  });

  it('derives one database per agency from DATABASE_URL, or takes each agency’s own', () => {
    const env = { DATABASE_URL: 'postgres://u@db:5432/postgres' };
    expect(databaseUrl('courts', env)).toBe('postgres://u@db:5432/dv_courts');
    expect(databaseUrl('housing', { ...env, DATABASE_PREFIX: 'prod_' })).toBe('postgres://u@db:5432/prod_housing');
    expect(databaseUrl('probation', { ...env, PROBATION_DATABASE_URL: 'postgres://p@elsewhere/prob' })).toBe('postgres://p@elsewhere/prob');
    expect(hasConfiguredDatabases({})).toBe(false);
    expect(hasConfiguredDatabases(env)).toBe(true);
    expect(hasConfiguredDatabases({ COURTS_DATABASE_URL: 'postgres://x/y' })).toBe(false);
  });

  it('names the variable that is wrong', () => {
    expect(() => subgraphPort('courts', { COURTS_PORT: 'eighty' })).toThrow(new ConfigError('COURTS_PORT must be a TCP port (0-65535), got "eighty"'));
    expect(() => databaseUrl('courts', { DATABASE_URL: 'not a url' })).toThrow(/DATABASE_URL is not a valid URL/);
    expect(() => databaseUrl('courts', { DATABASE_URL: 'postgres://h', DATABASE_PREFIX: 'x; drop' })).toThrow(/DATABASE_PREFIX/);
  });

  it('refuses a token age limit that would switch the check off', () => {
    expect(() => authSettings({ keys: [] }, { JWT_MAX_AGE_SECONDS: '0' })).toThrow(/JWT_MAX_AGE_SECONDS must be a positive whole number/);
    expect(() => authSettings({ keys: [] }, { JWT_MAX_AGE_SECONDS: 'ten' })).toThrow(ConfigError);
    expect(authSettings({ keys: [] }, {}).maxTokenAgeSeconds).toBe(43200);
  });

  it('defaults subgraphs to 4001-4004 on localhost', () => {
    expect(subgraphUrl('counseling', {})).toBe('http://localhost:4003/graphql');
    expect(subgraphUrl('counseling', { COUNSELING_PORT: '5003' })).toBe('http://localhost:5003/graphql');
    expect(subgraphUrl('counseling', { COUNSELING_URL: 'http://c:1/graphql' })).toBe('http://c:1/graphql');
  });

  it('reads the application and owner roles’ URLs, with passwords from secret files, or provisions from DATABASE_URL', () => {
    expect(agencyDatabaseConfig('courts', { DATABASE_URL: 'postgres://admin@db/postgres' })).toEqual({ kind: 'admin', adminUrl: 'postgres://admin@db/dv_courts' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dv-config-'));
    fs.writeFileSync(path.join(dir, 'app'), 's3cret/+\n');
    const env = {
      COURTS_DATABASE_URL: 'postgres://courts_app@db/courts',
      COURTS_DATABASE_PASSWORD_FILE: path.join(dir, 'app'),
      COURTS_MIGRATION_DATABASE_URL: 'postgres://courts_owner:pw@db/courts',
      DATABASE_URL: 'postgres://admin@db/postgres',
    };
    expect(agencyDatabaseConfig('courts', env)).toEqual({
      kind: 'roles',
      serviceUrl: 'postgres://courts_app:s3cret%2F%2B@db/courts',
      migrationUrl: 'postgres://courts_owner:pw@db/courts',
    });
    expect(() => agencyDatabaseConfig('courts', { COURTS_MIGRATION_DATABASE_URL: 'postgres://o@db/c' })).toThrow(/COURTS_MIGRATION_DATABASE_URL is set without COURTS_DATABASE_URL/);
    expect(() => agencyDatabaseConfig('courts', { COURTS_DATABASE_URL: 'postgres://same@db/c', COURTS_MIGRATION_DATABASE_URL: 'postgres://same@db/c' })).toThrow(/different roles/);
    expect(() => agencyDatabaseConfig('courts', { COURTS_DATABASE_URL: 'postgres://db/c' })).toThrow(/COURTS_DATABASE_URL must name the database role/);
    expect(() => agencyDatabaseConfig('courts', { ...env, COURTS_DATABASE_PASSWORD_FILE: path.join(dir, 'missing') })).toThrow(/COURTS_DATABASE_PASSWORD_FILE .* could not be read/);
  });

  it('reads the deadlines, caps and grace period, with their defaults, and names a bad value', () => {
    expect(requestTimeoutMs({})).toBe(30_000);
    expect(subgraphRequestTimeoutMs({})).toBe(30_000);
    expect(statementTimeoutMs('courts', {})).toBe(30_000);
    expect(statementTimeoutMs('courts', { STATEMENT_TIMEOUT_MS: '5000' })).toBe(5_000);
    expect(statementTimeoutMs('courts', { STATEMENT_TIMEOUT_MS: '5000', COURTS_STATEMENT_TIMEOUT_MS: '2000' })).toBe(2_000);
    expect(maxResponseFields({})).toBe(250_000);
    expect(maxSubgraphResponseBytes({})).toBe(16 * 1024 * 1024);
    expect(shutdownGraceMs({})).toBe(10_000);
    expect(() => requestTimeoutMs({ REQUEST_TIMEOUT_MS: '0' })).toThrow(new ConfigError('REQUEST_TIMEOUT_MS must be a positive integer, got "0"'));
    expect(() => maxResponseFields({ MAX_RESPONSE_FIELDS: 'lots' })).toThrow(/MAX_RESPONSE_FIELDS/);
    expect(() => statementTimeoutMs('housing', { HOUSING_STATEMENT_TIMEOUT_MS: '-1' })).toThrow(/HOUSING_STATEMENT_TIMEOUT_MS/);
  });

  it('holds a caller’s deadline header to the subgraph’s maximum; a bad header means the maximum', () => {
    expect(budgetFromHeader('1500', 30_000)).toBe(1_500);
    expect(budgetFromHeader('999999999', 30_000)).toBe(30_000);
    expect(budgetFromHeader(undefined, 30_000)).toBe(30_000);
    expect(budgetFromHeader('soon', 30_000)).toBe(30_000);
    expect(budgetFromHeader('-5', 30_000)).toBe(30_000);
  });
});
