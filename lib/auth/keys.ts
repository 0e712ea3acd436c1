/**
 * Signing and verification keys. Production keys come from configuration (a JWKS of public keys
 * to verify with; the issuer keeps the private key). For development, a key pair is created on
 * first start in the git-ignored data folder, and `npm run token` signs with it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { JSONWebKeySet, JWK, exportJWK, generateKeyPair } from 'jose';
import { ConfigError, dataDir } from '../config';

export const SIGNING_ALGORITHM = 'ES256';

type Env = Record<string, string | undefined>;

function devKeyPaths(env: Env) {
  const directory = path.join(dataDir(env), 'keys');
  return {
    directory,
    privateKey: path.join(directory, 'signing-key.jwk.json'),
    publicKeys: path.join(directory, 'verify-keys.jwks.json'),
  };
}

function readJson<T>(file: string, variable: string): T {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (error) {
    throw new ConfigError(`${variable} ${file} could not be read as JSON: ${(error as Error).message}`);
  }
}

/** The development JWKS file (public keys). */
export function devKeyFile(env: Env = process.env): string {
  return devKeyPaths(env).publicKeys;
}

/** Creates the development key pair when there is none yet. */
export async function ensureDevKeys(env: Env = process.env): Promise<void> {
  const paths = devKeyPaths(env);
  if (fs.existsSync(paths.privateKey) && fs.existsSync(paths.publicKeys)) return;
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
  const kid = `dev-${new Date().toISOString().slice(0, 10)}-${Math.random().toString(36).slice(2, 8)}`;
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALGORITHM, use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALGORITHM, use: 'sig' };
  fs.mkdirSync(paths.directory, { recursive: true, mode: 0o700 });
  fs.writeFileSync(paths.privateKey, JSON.stringify(privateJwk, null, 2), { mode: 0o600 });
  fs.writeFileSync(paths.publicKeys, JSON.stringify({ keys: [publicJwk] }, null, 2));
}

/** The public keys tokens are verified with, read once (lib/auth/key-source.ts keeps them current). */
export async function loadVerificationKeys(env: Env = process.env): Promise<JSONWebKeySet> {
  if (env.JWT_PUBLIC_JWKS) {
    try {
      return JSON.parse(env.JWT_PUBLIC_JWKS) as JSONWebKeySet;
    } catch {
      throw new ConfigError('JWT_PUBLIC_JWKS is not valid JSON (expected {"keys": [...]})');
    }
  }
  if (env.JWT_PUBLIC_JWKS_FILE) return readJson<JSONWebKeySet>(env.JWT_PUBLIC_JWKS_FILE, 'JWT_PUBLIC_JWKS_FILE');
  if (env.NODE_ENV === 'production') {
    throw new ConfigError('JWT_PUBLIC_JWKS or JWT_PUBLIC_JWKS_FILE must be set in production');
  }
  await ensureDevKeys(env);
  return readJson<JSONWebKeySet>(devKeyPaths(env).publicKeys, 'development key file');
}

/** The private key `npm run token` signs with (development, or JWT_PRIVATE_JWK_FILE). */
export async function loadSigningKey(env: Env = process.env): Promise<JWK> {
  if (env.JWT_PRIVATE_JWK_FILE) return readJson<JWK>(env.JWT_PRIVATE_JWK_FILE, 'JWT_PRIVATE_JWK_FILE');
  await ensureDevKeys(env);
  return readJson<JWK>(devKeyPaths(env).privateKey, 'development key file');
}
