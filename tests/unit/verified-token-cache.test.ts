/**
 * The verifier remembers tokens it verified (VERIFIED_TOKEN_CACHE), and a remembered token is
 * still refused the moment it would be refused by the full check: its key removed from the key
 * source, its expiry or its maximum age passed. Refusals are never remembered.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JWK, SignJWT, exportJWK, generateKeyPair, importJWK } from 'jose';
import { authSettings, createVerifier } from '../../lib/auth/identity';
import { fileKeySource } from '../../lib/auth/key-source';
import { ConfigError } from '../../lib/config';

const ISSUER = 'dv-case-graph-dev';
const AUDIENCE = 'dv-case-graph';

async function keyPair(kid: string): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES256' }, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

async function tokenOf(privateJwk: JWK, shape: (jwt: SignJWT) => SignJWT = (j) => j.setIssuedAt().setExpirationTime('5m')): Promise<string> {
  const jwt = new SignJWT({ agency: 'courts', role: 'judge', purpose: 'judicial_review' })
    .setProtectedHeader({ alg: 'ES256', kid: privateJwk.kid })
    .setSubject('cache-test')
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE);
  return shape(jwt).sign(await importJWK(privateJwk, 'ES256'));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the verified-token cache', () => {
  it('checks a signature once per token, not once per request', async () => {
    const pair = await keyPair('k1');
    const verify = createVerifier(authSettings({ keys: [pair.publicJwk] }));
    const token = await tokenOf(pair.privateJwk);
    for (let i = 0; i < 5; i++) expect((await verify(`Bearer ${token}`)).agency).toBe('courts');
    expect(verify.signatureChecks).toBe(1);
    // Another token of the same caller is another entry.
    await verify(`Bearer ${await tokenOf(pair.privateJwk)}`);
    expect(verify.signatureChecks).toBe(2);
  });

  it('with VERIFIED_TOKEN_CACHE=0 checks every time', async () => {
    const pair = await keyPair('k1');
    const verify = createVerifier(authSettings({ keys: [pair.publicJwk] }, { VERIFIED_TOKEN_CACHE: '0' }));
    const token = await tokenOf(pair.privateJwk);
    for (let i = 0; i < 3; i++) await verify(`Bearer ${token}`);
    expect(verify.signatureChecks).toBe(3);
    expect(() => authSettings({ keys: [] }, { VERIFIED_TOKEN_CACHE: '-1' })).toThrow(ConfigError);
    expect(() => authSettings({ keys: [] }, { VERIFIED_TOKEN_CACHE: 'lots' })).toThrow(/VERIFIED_TOKEN_CACHE must be a whole number/);
  });

  it('refuses a remembered token once its key is removed from the key file', async () => {
    const [oldKey, newKey] = await Promise.all([keyPair('old'), keyPair('new')]);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dv-cache-keys-')), 'keys.jwks.json');
    fs.writeFileSync(file, JSON.stringify({ keys: [oldKey.publicJwk, newKey.publicJwk] }));
    const verify = createVerifier(authSettings(fileKeySource(file, 'JWT_PUBLIC_JWKS_FILE', { cooldownMs: 0 })));
    const token = await tokenOf(oldKey.privateJwk);
    await verify(`Bearer ${token}`);
    await verify(`Bearer ${token}`);
    expect(verify.signatureChecks).toBe(1);

    fs.writeFileSync(file, JSON.stringify({ keys: [newKey.publicJwk] }));
    await expect(verify(`Bearer ${token}`)).rejects.toThrow(/not signed by a known key/);
    // The new key's tokens still pass.
    await verify(`Bearer ${await tokenOf(newKey.privateJwk)}`);
  });

  it('refuses a remembered token once it expires, or once it is older than JWT_MAX_AGE_SECONDS', async () => {
    const pair = await keyPair('k1');
    const now = Math.floor(Date.now() / 1000);
    const verify = createVerifier(authSettings({ keys: [pair.publicJwk] }, { JWT_MAX_AGE_SECONDS: '3600' }));
    const shortLived = await tokenOf(pair.privateJwk, (j) => j.setIssuedAt(now).setExpirationTime(now + 2));
    await verify(`Bearer ${shortLived}`);
    await verify(`Bearer ${shortLived}`);
    expect(verify.signatureChecks).toBe(1);

    const old = await tokenOf(pair.privateJwk, (j) => j.setIssuedAt(now - 3598).setExpirationTime(now + 600));
    await verify(`Bearer ${old}`);

    await sleep((now + 2 - Date.now() / 1000) * 1000 + 1100);
    await expect(verify(`Bearer ${shortLived}`)).rejects.toThrow(/expired/);
    await expect(verify(`Bearer ${old}`)).rejects.toThrow(/iat|accepted|expired/);
  });

  it('remembers no refusal: a bad token is checked, and refused, every time', async () => {
    const [pair, stranger] = await Promise.all([keyPair('k1'), keyPair('k1')]);
    const verify = createVerifier(authSettings({ keys: [pair.publicJwk] }));
    const forged = await tokenOf(stranger.privateJwk);
    for (let i = 0; i < 3; i++) await expect(verify(`Bearer ${forged}`)).rejects.toThrow(/signature does not verify/);
    expect(verify.signatureChecks).toBe(3);
  });

  it('keeps at most VERIFIED_TOKEN_CACHE tokens, the most recently used', async () => {
    const pair = await keyPair('k1');
    const verify = createVerifier(authSettings({ keys: [pair.publicJwk] }, { VERIFIED_TOKEN_CACHE: '2' }));
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => tokenOf(pair.privateJwk)));
    await verify(`Bearer ${a}`);
    await verify(`Bearer ${b}`);
    await verify(`Bearer ${a}`); // a is now the most recent
    await verify(`Bearer ${c}`); // evicts b
    expect(verify.signatureChecks).toBe(3);
    await verify(`Bearer ${a}`);
    expect(verify.signatureChecks).toBe(3);
    await verify(`Bearer ${b}`);
    expect(verify.signatureChecks).toBe(4);
  });
});
