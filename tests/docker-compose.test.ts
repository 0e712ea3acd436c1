/**
 * docker-compose.yml stays consistent with the code: it uses only variables the code reads, wires
 * each subgraph to its own database and port, points the gateway at those ports, and runs files
 * that exist. (No Docker engine runs in CI; this checks the wiring, not the containers.)
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { SERVICES, DEFAULT_GATEWAY_PORT, DEFAULT_SUBGRAPH_PORTS, KNOWN_VARIABLES, SERVICE_NODE_FLAGS, envPrefix } from '../lib/config';

const root = path.join(__dirname, '..');
const composeText = fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
const compose = YAML.parse(composeText, { merge: true });
const services: Record<string, any> = compose.services;

describe('docker-compose.yml', () => {
  it('uses only environment variables the code reads', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name.endsWith('-db')) continue;
      const unknown = Object.keys(service.environment ?? {}).filter((v) => !KNOWN_VARIABLES.includes(v));
      expect({ service: name, unknown }).toEqual({ service: name, unknown: [] });
    }
  });

  it.each(SERVICES)('runs the %s subgraph on its own database and port', (agency) => {
    const service = services[agency];
    const prefix = envPrefix(agency);
    // Compiled in the image (Dockerfile: npm run build:server): dist/ mirrors the sources.
    expect(service.command.slice(-1)[0]).toBe(`dist/subgraphs/${agency}/main.js`);
    expect(fs.existsSync(path.join(root, 'subgraphs', agency, 'main.ts'))).toBe(true);
    expect(Number(service.environment[`${prefix}_PORT`])).toBe(DEFAULT_SUBGRAPH_PORTS[agency]);
    const db = new URL(service.environment[`${prefix}_DATABASE_URL`]);
    expect(db.hostname).toBe(`${agency}-db`);
    expect(services[`${agency}-db`].image).toMatch(/^postgres:/);
    expect(Object.keys(service.depends_on)).toEqual([`${agency}-db`, 'migrate']);
    expect(service.depends_on.migrate.condition).toBe('service_completed_successfully');
    expect(service.healthcheck.test.join(' ')).toContain(`localhost:${DEFAULT_SUBGRAPH_PORTS[agency]}/ready`);
    expect(service.ports).toBeUndefined();
  });

  it('points the gateway at each subgraph’s service and port, and publishes only the gateway', () => {
    const gateway = services.gateway;
    expect(gateway.command.slice(-1)[0]).toBe('dist/gateway/main.js');
    expect(fs.existsSync(path.join(root, 'gateway', 'main.ts'))).toBe(true);
    expect(Number(gateway.environment.GATEWAY_PORT)).toBe(DEFAULT_GATEWAY_PORT);
    expect(gateway.ports).toEqual([`${DEFAULT_GATEWAY_PORT}:${DEFAULT_GATEWAY_PORT}`]);
    for (const agency of SERVICES) {
      expect(gateway.environment[`${envPrefix(agency)}_URL`]).toBe(
        `http://${agency}:${DEFAULT_SUBGRAPH_PORTS[agency]}/graphql`,
      );
    }
    const published = Object.entries(services).filter(([, s]) => s.ports).map(([name]) => name);
    expect(published).toEqual(['gateway']);
  });

  it('gives the gateway and every subgraph the same token verification keys', () => {
    for (const name of ['gateway', ...SERVICES]) {
      expect(services[name].environment.JWT_PUBLIC_JWKS_FILE).toBe('/keys/verify-keys.jwks.json');
      expect(services[name].volumes).toEqual(['./.data/keys:/keys:ro']);
    }
  });

  it('gives the seed tool every agency’s database, as the subgraphs have them', () => {
    for (const agency of SERVICES) {
      const key = `${envPrefix(agency)}_DATABASE_URL`;
      expect(services.seed.environment[key]).toBe(services[agency].environment[key]);
    }
    expect(fs.existsSync(path.join(root, services.seed.command[2]))).toBe(true);
  });

  it('uses passwords from secrets, never trust, and connects each subgraph as its application role only', () => {
    expect(composeText).not.toMatch(/trust/i);
    const secrets = compose.secrets as Record<string, { file: string }>;
    for (const secret of Object.values(secrets)) expect(secret.file).toMatch(/^\.\/\.data\/secrets\//);
    for (const agency of SERVICES) {
      const prefix = envPrefix(agency);
      const db = services[`${agency}-db`];
      expect(db.environment.POSTGRES_HOST_AUTH_METHOD).toBeUndefined();
      expect(db.environment.POSTGRES_PASSWORD).toBeUndefined();
      expect(db.environment.POSTGRES_PASSWORD_FILE).toBe('/run/secrets/db_admin_password');
      expect(db.secrets.map((s: any) => s.target).sort()).toEqual(['db_admin_password', 'db_app_password', 'db_owner_password']);
      for (const s of db.secrets) expect(secrets[s.source]).toBeDefined();
      expect(db.volumes).toContain('./deploy/postgres-init-roles.sh:/docker-entrypoint-initdb.d/10-roles.sh:ro');

      const subgraph = services[agency];
      const url = new URL(subgraph.environment[`${prefix}_DATABASE_URL`]);
      expect({ user: url.username, password: url.password }).toEqual({ user: `${agency}_app`, password: '' });
      expect(subgraph.environment[`${prefix}_DATABASE_PASSWORD_FILE`]).toBe(`/run/secrets/${agency}_db_app`);
      // The outcomes service also holds its pseudonym key and its broker token; no other database secret.
      expect(subgraph.secrets.filter((x: string) => x.endsWith('_db_app') || x.endsWith('_db_owner') || x.endsWith('_db_admin'))).toEqual([`${agency}_db_app`]);
      expect(subgraph.environment[`${prefix}_MIGRATION_DATABASE_URL`]).toBeUndefined();

      const migrate = services.migrate.environment;
      expect(new URL(migrate[`${prefix}_MIGRATION_DATABASE_URL`]).username).toBe(`${agency}_owner`);
      expect(migrate[`${prefix}_MIGRATION_DATABASE_PASSWORD_FILE`]).toBe(`/run/secrets/${agency}_db_owner`);
      expect(migrate[`${prefix}_DATABASE_URL`]).toBe(subgraph.environment[`${prefix}_DATABASE_URL`]);
    }
    expect(fs.existsSync(path.join(root, 'deploy', 'postgres-init-roles.sh'))).toBe(true);
    expect(fs.existsSync(path.join(root, services.migrate.command[2]))).toBe(true);
  });
});

describe('how the services are started', () => {
  it('every way of starting a service in production runs node with SERVICE_NODE_FLAGS', () => {
    const scripts: Record<string, string> = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts;
    const starts = Object.entries(scripts).filter(([, command]) => /\bnode\b[^&]*\bdist\/(bin\/start\.js|gateway\/|subgraphs\/)/.test(command));
    expect(starts.map(([name]) => name).sort()).toEqual(['start', 'start:gateway', ...SERVICES.map((s) => `start:${s}`)].sort());
    for (const [name, command] of starts) expect({ name, flags: SERVICE_NODE_FLAGS.every((f) => command.includes(`node ${f}`) || command.includes(` ${f} `)) }).toEqual({ name, flags: true });
    // The image's services (docker-compose.yml's commands) read them from NODE_OPTIONS.
    const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    const nodeOptions = /NODE_OPTIONS=(\S+)/.exec(dockerfile)?.[1] ?? '';
    expect(nodeOptions.split(' ')).toEqual([...SERVICE_NODE_FLAGS]);
  });
});
