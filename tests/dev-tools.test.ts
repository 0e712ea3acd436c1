/**
 * The gateway's development tools: `POST /dev/token` signs tokens the graph accepts, refuses bad
 * requests naming the field, `GET /dev/vocabulary` lists what a sign-in screen offers; all of them
 * are 404 when NODE_ENV=production (unless DEV_TOOLS=on) or DEV_TOOLS=off.
 */
import { decodeJwt, exportJWK, generateKeyPair } from 'jose';
import { AGENCIES, devToolsEnabled } from '../lib/config';
import { ROLES, PURPOSES } from '../lib/auth/vocabulary';
import { RunningServer } from '../lib/http-server';
import { authSettings, createVerifier } from '../lib/auth/identity';
import { loadVerificationKeys } from '../lib/auth/keys';
import { startGateway } from '../gateway/gateway';
import { TestStack, postGraphQL, startTestStack } from './support/stack';

/** A key set the development signer has no key of. */
async function otherKeys() {
  const { publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { keys: [{ ...(await exportJWK(publicKey)), kid: 'another-key', alg: 'ES256', use: 'sig' }] };
}

let stack: TestStack;
let base: string;

beforeAll(async () => {
  stack = await startTestStack({ cases: 3 });
  base = stack.gatewayUrl.replace(/\/graphql$/, '');
});
afterAll(() => stack?.stop());

async function requestToken(body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }, at = base) {
  const response = await fetch(`${at}/dev/token`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

const CASE_QUERY = 'query($id: ID!) { case(id: $id) { docketNumber parties { person { housingStatus } } } }';

describe('POST /dev/token', () => {
  it('signs a token with the development keys that the gateway accepts, for the identity asked', async () => {
    const answer = await requestToken({ agency: 'courts', role: 'judge', purpose: 'judicial_review' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.body).toEqual({ token: expect.any(String), expiresIn: 3600 });
    const claims = decodeJwt(answer.body.token);
    expect(claims).toMatchObject({ agency: 'courts', role: 'judge', purpose: 'judicial_review', sub: 'courts-judge-dev' });
    expect(claims.exp! - claims.iat!).toBe(3600);
    const result = await postGraphQL<any>(stack.gatewayUrl, CASE_QUERY, { id: stack.demoCaseId }, { authorization: `Bearer ${answer.body.token}` });
    expect(result.status).toBe(200);
    expect(result.data.case.docketNumber).toMatch(/^DV-/);
    // It is the judge the agreements see: housing status needs the victim's consent.
    expect(result.errors?.some((e) => e.extensions?.coordinate === 'Person.housingStatus')).toBe(true);
  });

  it('keeps the subject and lifetime asked for', async () => {
    const answer = await requestToken({ agency: 'housing', role: 'shelter_staff', purpose: 'victim_services', subject: 'demo-shelter-staff', ttlSeconds: 600 });
    expect(answer.status).toBe(200);
    expect(answer.body.expiresIn).toBe(600);
    const claims = decodeJwt(answer.body.token);
    expect(claims).toMatchObject({ agency: 'housing', role: 'shelter_staff', sub: 'demo-shelter-staff' });
    expect(claims.exp! - claims.iat!).toBe(600);
    const result = await postGraphQL<any>(stack.gatewayUrl, '{ cases(first: 1) { nodes { id } } }', {}, { authorization: `Bearer ${answer.body.token}` });
    expect(result.status).toBe(200);
  });

  it.each([
    [{ role: 'judge', purpose: 'judicial_review' }, 'agency', 'agency must be one of courts, housing, counseling, probation'],
    [{ agency: 'courts ', role: 'judge', purpose: 'judicial_review' }, 'agency', 'agency must be one of'],
    [{ agency: 'housing', role: 'judge', purpose: 'research' }, 'role', "role must be one of housing's roles: housing_caseworker, shelter_staff, analyst"],
    [{ agency: 'courts', role: 'judge', purpose: 'curiosity' }, 'purpose', `purpose must be one of ${PURPOSES.join(', ')}`],
    [{ agency: 'courts', role: 'judge', purpose: 'judicial_review', subject: '' }, 'subject', 'subject must be 1 to 200 characters'],
    [{ agency: 'courts', role: 'judge', purpose: 'judicial_review', subject: 'a b' }, 'subject', 'subject must be'],
    [{ agency: 'courts', role: 'judge', purpose: 'judicial_review', subject: 'x'.repeat(201) }, 'subject', 'subject must be'],
    [{ agency: 'courts', role: 'judge', purpose: 'judicial_review', subject: 17 }, 'subject', 'subject must be'],
    [{ agency: 'courts', role: 'judge', purpose: 'judicial_review', ttlSeconds: 43201 }, 'ttlSeconds', 'ttlSeconds must be a whole number of seconds from 1 to 43200'],
    [{ agency: 'courts', role: 'judge', purpose: 'judicial_review', ttlSeconds: '60' }, 'ttlSeconds', 'ttlSeconds must be'],
    [{ agency: 'courts', role: 'judge', purpose: 'judicial_review', admin: true }, 'admin', 'unknown field "admin"'],
  ])('refuses bad request #%# with 400 naming the field', async (body, field, message) => {
    const answer = await requestToken(body);
    expect(answer.status).toBe(400);
    expect(answer.body.token).toBeUndefined();
    expect(answer.body.errors[0].message).toContain(message);
    expect(answer.body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field });
  });

  it('refuses a body that is not a JSON object, another content type, and other methods', async () => {
    expect((await requestToken('{"agency":')).status).toBe(400);
    expect((await requestToken('{"agency":')).body.errors[0].message).toBe('the request body is not valid JSON');
    expect((await requestToken('["courts"]')).body.errors[0].message).toContain('must be a JSON object');
    // A form post (which a page on another site could send without asking) is not accepted.
    const form = await requestToken('agency=courts&role=judge&purpose=judicial_review', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    expect(form.body.token).toBeUndefined();
    const get = await fetch(`${base}/dev/token?agency=courts&role=judge&purpose=judicial_review`);
    expect(get.status).toBe(405);
  });
});

describe('GET /dev/vocabulary', () => {
  it('lists every agency, its roles with the purposes its role policy grants, and every purpose', async () => {
    const response = await fetch(`${base}/dev/vocabulary`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const vocabulary = (await response.json()) as any;
    expect(vocabulary.purposes).toEqual([...PURPOSES]);
    expect(vocabulary.agencies.map((a: any) => a.agency)).toEqual([...AGENCIES]);
    for (const { agency, roles } of vocabulary.agencies) expect(roles.map((r: any) => r.role)).toEqual(ROLES[agency as keyof typeof ROLES]);
    const roleOf = (agency: string, role: string) => vocabulary.agencies.find((a: any) => a.agency === agency).roles.find((r: any) => r.role === role);
    expect(roleOf('courts', 'judge').purposes).toContain('judicial_review');
    expect(roleOf('probation', 'analyst').purposes).toEqual(['research']);
  });
});

describe('off in production', () => {
  let gateway: RunningServer | undefined;
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  /** A second gateway over the same subgraphs, started with `env` set. */
  async function gatewayWith(env: Record<string, string | undefined>): Promise<string> {
    const verify = createVerifier(authSettings(await loadVerificationKeys()));
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
    try {
      gateway = await startGateway({
        subgraphUrls: stack.subgraphUrls,
        host: '127.0.0.1',
        port: 0,
        timeoutMs: 30_000,
        verify,
      });
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    return gateway.url.replace(/\/graphql$/, '');
  }

  it('answers 404 for every development route when NODE_ENV=production', async () => {
    const at = await gatewayWith({ NODE_ENV: 'production', DEV_TOOLS: undefined });
    const token = await requestToken({ agency: 'courts', role: 'judge', purpose: 'judicial_review' }, undefined, at);
    expect(token.status).toBe(404);
    expect(token.body.token).toBeUndefined();
    for (const path of ['/dev/vocabulary', '/explorer', '/explorer/explorer.js']) {
      expect({ path, status: (await fetch(`${at}${path}`)).status }).toEqual({ path, status: 404 });
    }
    expect((await fetch(`${at}/health`)).status).toBe(200);
  });

  it('serves them in production only when DEV_TOOLS=on, and never when DEV_TOOLS=off', async () => {
    const on = await gatewayWith({ NODE_ENV: 'production', DEV_TOOLS: 'on' });
    expect((await fetch(`${on}/dev/vocabulary`)).status).toBe(200);
    await gateway!.close();
    const off = await gatewayWith({ NODE_ENV: undefined, DEV_TOOLS: 'off' });
    expect((await requestToken({ agency: 'courts', role: 'judge', purpose: 'judicial_review' }, undefined, off)).status).toBe(404);
  });

  it('hands out no token the gateway would refuse (its keys are not the development signer\'s)', async () => {
    gateway = await startGateway({
      subgraphUrls: stack.subgraphUrls,
      host: '127.0.0.1',
      port: 0,
      timeoutMs: 30_000,
      devTools: true,
      // Verifies with another key set, as with JWT_JWKS_URL and no JWT_PRIVATE_JWK_FILE.
      verify: createVerifier(authSettings(await otherKeys())),
    });
    const answer = await requestToken({ agency: 'courts', role: 'judge', purpose: 'judicial_review' }, undefined, gateway.url.replace(/\/graphql$/, ''));
    expect(answer.status).toBe(503);
    expect(answer.body.token).toBeUndefined();
    expect(answer.body.errors[0].message).toContain("the development signer's tokens do not verify at this gateway");
  });

  it('reads DEV_TOOLS as on or off, and nothing else', () => {
    expect(devToolsEnabled({})).toBe(true);
    expect(devToolsEnabled({ NODE_ENV: 'production' })).toBe(false);
    expect(devToolsEnabled({ NODE_ENV: 'production', DEV_TOOLS: 'ON' })).toBe(true);
    expect(devToolsEnabled({ DEV_TOOLS: 'off' })).toBe(false);
    expect(() => devToolsEnabled({ DEV_TOOLS: 'yes' })).toThrow('DEV_TOOLS must be "on" or "off", got "yes"');
  });
});
