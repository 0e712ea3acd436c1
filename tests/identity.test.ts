/**
 * Identity that can't be forged: the gateway refuses, with 401 and before any planning, a token
 * that is missing, expired, wrongly signed, for another audience or issuer, or unsigned; and each
 * subgraph refuses the same when called directly, `_entities` and `_service` included. Plain
 * identity headers are ignored.
 */
import { SignJWT, UnsecuredJWT, generateKeyPair, importJWK } from 'jose';
import { AGENCIES } from '../lib/config';
import { loadSigningKey } from '../lib/auth/keys';
import { TestStack, postGraphQL, startTestStack } from './support/stack';
import { CASEWORKER, JUDGE, tokenFor } from './support/tokens';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ cases: 2 });
});

afterAll(async () => {
  await stack?.stop();
});

const claims = { agency: 'courts', role: 'judge', purpose: 'judicial_review' };
const settings = { issuer: 'dv-case-graph-dev', audience: 'dv-case-graph' };

/** A token signed with the graph's own development key, shaped by `build`. */
async function signedWith(build: (jwt: SignJWT) => SignJWT, extraClaims: Record<string, string> = {}): Promise<string> {
  const jwk = await loadSigningKey();
  const key = await importJWK(jwk, 'ES256');
  return build(new SignJWT({ ...claims, ...extraClaims }).setProtectedHeader({ alg: 'ES256', kid: jwk.kid }).setSubject('someone')).sign(key);
}

const BAD_TOKENS: [string, () => Promise<string | undefined>][] = [
  ['no token', async () => undefined],
  ['a token that is not a JWT', async () => 'not-a-jwt'],
  ['an expired token', () => signedWith((j) => j.setIssuer(settings.issuer).setAudience(settings.audience).setIssuedAt(Math.floor(Date.now() / 1000) - 7200).setExpirationTime(Math.floor(Date.now() / 1000) - 60))],
  ['a token signed by another key', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const jwk = await loadSigningKey();
    return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: jwk.kid }).setSubject('someone').setIssuer(settings.issuer)
      .setAudience(settings.audience).setIssuedAt().setExpirationTime('5m').sign(privateKey);
  }],
  ['a token for another audience', () => signedWith((j) => j.setIssuer(settings.issuer).setAudience('another-system').setIssuedAt().setExpirationTime('5m'))],
  ['a token from another issuer', () => signedWith((j) => j.setIssuer('someone-else').setAudience(settings.audience).setIssuedAt().setExpirationTime('5m'))],
  ['an unsigned token (alg: none)', async () => new UnsecuredJWT(claims).setSubject('someone').setIssuer(settings.issuer).setAudience(settings.audience).setIssuedAt().setExpirationTime('5m').encode()],
  ['an HS256 token keyed with the public key', async () => {
    const jwks = await loadSigningKey();
    const publicPart = JSON.stringify({ kty: jwks.kty, crv: jwks.crv, x: jwks.x, y: jwks.y });
    return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('someone').setIssuer(settings.issuer)
      .setAudience(settings.audience).setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(publicPart));
  }],
  ['a token naming a role its agency does not have', () =>
    signedWith((j) => j.setIssuer(settings.issuer).setAudience(settings.audience).setIssuedAt().setExpirationTime('5m'), { role: 'probation_officer' })],
];

const CASE_QUERY = '{ cases(first: 1) { nodes { id docketNumber } } }';

describe('the gateway', () => {
  it.each(BAD_TOKENS)('refuses %s with 401 and no data', async (_what, make) => {
    const token = await make();
    const result = await postGraphQL(stack.gatewayUrl, CASE_QUERY, {}, token ? { authorization: `Bearer ${token}` } : {});
    expect(result.status).toBe(401);
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(JSON.stringify(result)).not.toMatch(/stack|at [A-Za-z]+ \(/);
  });

  it('accepts a valid token', async () => {
    const result = await stack.gql(CASE_QUERY, {}, { as: JUDGE });
    expect(result.status).toBe(200);
    expect(result.data.cases.nodes).toHaveLength(1);
  });
});

describe('each subgraph called directly', () => {
  const entities = '{ _entities(representations: [{ __typename: "Case", id: "00000000-0000-4000-8000-000000000000" }]) { __typename } }';

  it.each(AGENCIES)('%s refuses _entities and _service without a valid token', async (agency) => {
    const url = stack.subgraphUrls[agency];
    for (const query of [entities, '{ _service { sdl } }']) {
      const none = await postGraphQL(url, query);
      expect(none.status).toBe(401);
      expect(none.data).toBeUndefined();
      const [, makeExpired] = BAD_TOKENS[2];
      const expired = await postGraphQL(url, query, {}, { authorization: `Bearer ${await makeExpired()}` });
      expect(expired.status).toBe(401);
      const [, makeNone] = BAD_TOKENS[6];
      const unsigned = await postGraphQL(url, query, {}, { authorization: `Bearer ${await makeNone()}` });
      expect(unsigned.status).toBe(401);
    }
  });

  it.each(AGENCIES)('%s answers _entities and _service for a verified caller', async (agency) => {
    const url = stack.subgraphUrls[agency];
    const headers = { authorization: `Bearer ${await tokenFor(JUDGE)}` };
    const sdl = await postGraphQL<any>(url, '{ _service { sdl } }', {}, headers);
    expect(sdl.data._service.sdl).toContain('type Case');
    const result = await postGraphQL<any>(url, entities, {}, headers);
    expect(result.data._entities).toHaveLength(1);
  });

  it('ignores plain identity headers', async () => {
    const forged = { 'x-agency': 'housing', 'x-role': 'housing_caseworker', 'x-user': 'admin', 'x-purpose': 'victim_services' };
    const shelter = `{ _entities(representations: [{ __typename: "Case", id: "${stack.demoCaseId}" }]) { ... on Case { shelterStays { id } } } }`;
    const anonymous = await postGraphQL(stack.subgraphUrls.housing, shelter, {}, forged);
    expect(anonymous.status).toBe(401);
    const judge = await postGraphQL<any>(stack.subgraphUrls.housing, shelter, {}, { ...forged, authorization: `Bearer ${await tokenFor(JUDGE)}` });
    // Case.shelterStays is granted to the outcomes service alone (under the victim's consent), not to a judge.
    expect(judge.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NO_AGREEMENT' });
    const caseworker = await postGraphQL<any>(stack.subgraphUrls.housing, shelter, {}, { authorization: `Bearer ${await tokenFor(CASEWORKER)}` });
    expect(caseworker.data._entities[0].shelterStays.length).toBeGreaterThan(0);
  });
});

describe('npm run token', () => {
  it('makes tokens the graph accepts', async () => {
    const { execFileSync } = await import('node:child_process');
    const token = execFileSync('npx', ['tsx', 'bin/token.ts', '--agency', 'probation', '--role', 'probation_officer', '--purpose', 'compliance_monitoring', '--sub', 'po-17'], {
      cwd: `${__dirname}/..`, env: process.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    expect(token.split('.')).toHaveLength(3);
    const result = await postGraphQL<any>(stack.gatewayUrl, CASE_QUERY, {}, { authorization: `Bearer ${token}` });
    expect(result.status).toBe(200);
    expect(result.data.cases.nodes).toHaveLength(1);
  });

  it('refuses a role the agency does not have, naming the roles it has', async () => {
    const { spawnSync } = await import('node:child_process');
    const run = spawnSync('npx', ['tsx', 'bin/token.ts', '--agency', 'housing', '--role', 'judge', '--purpose', 'research'], {
      cwd: `${__dirname}/..`, env: process.env, encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain("--role must be one of housing's roles: housing_caseworker, shelter_staff, analyst");
  });
});

