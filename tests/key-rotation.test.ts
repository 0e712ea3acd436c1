/**
 * Key rotation without a restart: under a running graph, the identity provider publishes a new
 * key beside the old one (tokens of both verify, at the gateway and at every subgraph), then
 * removes the old one (its tokens stop verifying). Once with the keys in a re-read JWKS file,
 * once from a JWKS URL served by a local HTTP server.
 */
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { JWK, exportJWK, generateKeyPair } from 'jose';
import { AGENCIES } from '../lib/config';
import { signToken } from '../lib/auth/identity';
import { fileKeySource } from '../lib/auth/key-source';
import { TestStack, postGraphQL, startTestStack } from './support/stack';

interface KeyPair {
  privateJwk: JWK;
  publicJwk: JWK;
}

async function keyPair(kid: string): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return {
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES256' },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
  };
}

const jwks = (...pairs: KeyPair[]) => JSON.stringify({ keys: pairs.map((p) => p.publicJwk) });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function token(pair: KeyPair): Promise<string> {
  return signToken(
    { agency: 'courts', role: 'judge', purpose: 'judicial_review', subject: `rotation-${pair.privateJwk.kid}` },
    pair.privateJwk,
    { issuer: 'dv-case-graph-dev', audience: 'dv-case-graph' },
  );
}

/** HTTP status of an authenticated request at the gateway and at each subgraph directly. */
async function statuses(stack: TestStack, pair: KeyPair): Promise<Record<string, number>> {
  const headers = { authorization: `Bearer ${await token(pair)}` };
  const out: Record<string, number> = {};
  out.gateway = (await postGraphQL(stack.gatewayUrl, '{ cases(first: 1) { nodes { id } } }', {}, headers)).status;
  for (const agency of AGENCIES) out[agency] = (await postGraphQL(stack.subgraphUrls[agency], '{ _service { sdl } }', {}, headers)).status;
  return out;
}

const everywhere = (status: number) => ({ gateway: status, courts: status, housing: status, counseling: status, probation: status });

function withEnv(vars: Record<string, string>): () => void {
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  return () => {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

describe('key rotation from a JWKS file', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dv-keys-')), 'verify-keys.jwks.json');
  let stack: TestStack;
  let restore: () => void;
  let oldKey: KeyPair;
  let newKey: KeyPair;

  beforeAll(async () => {
    [oldKey, newKey] = await Promise.all([keyPair('old-2026'), keyPair('new-2027')]);
    fs.writeFileSync(file, jwks(oldKey));
    restore = withEnv({ JWT_PUBLIC_JWKS_FILE: file, JWT_KEYS_COOLDOWN_MS: '200' });
    stack = await startTestStack({ cases: 0 });
  });
  afterAll(async () => {
    await stack?.stop();
    restore?.();
  });

  it('accepts the new key once published, both during the overlap, and only the new one after the old is removed', async () => {
    expect(await statuses(stack, oldKey)).toEqual(everywhere(200));
    expect(await statuses(stack, newKey)).toEqual(everywhere(401));

    fs.writeFileSync(file, jwks(oldKey, newKey));
    await sleep(250); // the unknown kid was just looked up: one cooldown before the file is read again
    expect(await statuses(stack, newKey)).toEqual(everywhere(200));
    expect(await statuses(stack, oldKey)).toEqual(everywhere(200));

    fs.writeFileSync(file, jwks(newKey));
    await sleep(250);
    expect(await statuses(stack, oldKey)).toEqual(everywhere(401));
    expect(await statuses(stack, newKey)).toEqual(everywhere(200));
  });
});

describe('key rotation from a JWKS URL', () => {
  let stack: TestStack;
  let restore: () => void;
  let server: http.Server;
  let published = '';
  let fetches = 0;
  let oldKey: KeyPair;
  let newKey: KeyPair;

  beforeAll(async () => {
    [oldKey, newKey] = await Promise.all([keyPair('old-2026'), keyPair('new-2027')]);
    published = jwks(oldKey);
    server = http.createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(published);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
    restore = withEnv({ JWT_JWKS_URL: url, JWT_KEYS_COOLDOWN_MS: '0', JWT_JWKS_CACHE_MAX_AGE_MS: '500' });
    stack = await startTestStack({ cases: 0 });
  });
  afterAll(async () => {
    await stack?.stop();
    restore?.();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('fetches a new key on its unknown kid, keeps both during the overlap, and drops the old once the cache expires', async () => {
    expect(await statuses(stack, oldKey)).toEqual(everywhere(200));
    const before = fetches;
    expect(await statuses(stack, oldKey)).toEqual(everywhere(200));
    expect(fetches).toBe(before); // cached: a known key fetches nothing

    published = jwks(oldKey, newKey);
    expect(await statuses(stack, newKey)).toEqual(everywhere(200));
    expect(await statuses(stack, oldKey)).toEqual(everywhere(200));

    published = jwks(newKey);
    await sleep(600);
    expect(await statuses(stack, oldKey)).toEqual(everywhere(401));
    expect(await statuses(stack, newKey)).toEqual(everywhere(200));
  });
});

describe('the JWKS file source', () => {
  it('keeps the keys it has when the file is caught half-written, and refuses an empty key set at startup', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dv-keys-'));
    const file = path.join(dir, 'jwks.json');
    const pair = await keyPair('only');
    fs.writeFileSync(file, jwks(pair));
    const source = fileKeySource(file, 'JWT_PUBLIC_JWKS_FILE', { cooldownMs: 0 });
    const header = { alg: 'ES256', kid: 'only' };
    const flattened = { payload: '', signature: '' };
    await expect(source(header, flattened)).resolves.toBeDefined();
    fs.writeFileSync(file, '{"keys": [');
    await expect(source(header, flattened)).resolves.toBeDefined();
    fs.writeFileSync(file, '{"keys": []}');
    expect(() => fileKeySource(file, 'JWT_PUBLIC_JWKS_FILE', { cooldownMs: 0 })).toThrow(/at least one key/);
  });
});
