/**
 * Where verification keys come from, kept current without a restart, so the identity provider
 * can rotate its signing key: publish the new key beside the old one, start signing with it, and
 * remove the old one once its tokens have expired. While both are listed, both verify.
 *
 *   JWT_JWKS_URL           the provider's JWKS endpoint (jose's remote key set: cached, refetched
 *                          on an unknown `kid` at most once per JWT_KEYS_COOLDOWN_MS, and when
 *                          older than JWT_JWKS_CACHE_MAX_AGE_MS; each fetch times out after
 *                          JWT_JWKS_TIMEOUT_MS)
 *   JWT_PUBLIC_JWKS_FILE   a JWKS file, re-read when it changes (its mtime/size/inode, looked at
 *                          no more than once per JWT_KEYS_COOLDOWN_MS) or, at most once per
 *                          cooldown, when a token names a `kid` it does not hold
 *   JWT_PUBLIC_JWKS        a JWKS in the variable itself (fixed: rotating means restarting)
 *   (none, development)    the development key file in DATA_DIR/keys, re-read like a file
 */
import fs from 'node:fs';
import { JSONWebKeySet, JWTVerifyGetKey, createLocalJWKSet, createRemoteJWKSet, errors } from 'jose';
import { ConfigError } from '../config';
import { logger } from '../logger';
import { devKeyFile, ensureDevKeys, loadVerificationKeys } from './keys';

type Env = Record<string, string | undefined>;

export interface KeySourceSettings {
  cooldownMs: number;
  cacheMaxAgeMs: number;
  timeoutMs: number;
}

function milliseconds(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new ConfigError(`${name} must be a whole number of milliseconds, got "${raw}"`);
  return value;
}

export function keySourceSettings(env: Env = process.env): KeySourceSettings {
  return {
    cooldownMs: milliseconds(env, 'JWT_KEYS_COOLDOWN_MS', 10_000),
    cacheMaxAgeMs: milliseconds(env, 'JWT_JWKS_CACHE_MAX_AGE_MS', 600_000),
    timeoutMs: milliseconds(env, 'JWT_JWKS_TIMEOUT_MS', 5_000),
  };
}

function parseKeySet(text: string, where: string): JSONWebKeySet {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${where} could not be read as JSON: ${(error as Error).message}`);
  }
  const keys = (parsed as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new ConfigError(`${where} is not a JWKS with at least one key ({"keys": [...]})`);
  return parsed as JSONWebKeySet;
}

/** A JWKS file, re-read when it changes or when a token names a key it does not hold. */
export function fileKeySource(file: string, variable: string, settings: Pick<KeySourceSettings, 'cooldownMs'>): JWTVerifyGetKey {
  const signature = (stat: fs.Stats) => `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
  const read = () => {
    const stat = fs.statSync(file);
    const set = createLocalJWKSet(parseKeySet(fs.readFileSync(file, 'utf8'), `${variable} ${file}`));
    return { set, seen: signature(stat) };
  };
  let current: ReturnType<typeof read>;
  try {
    current = read();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${variable} ${file} could not be read: ${(error as Error).message}`);
  }
  let lastLook = Date.now();
  let lastForcedRead = 0;
  // A file caught half-written, or briefly missing, keeps the keys already loaded.
  const reload = (force: boolean) => {
    try {
      const stat = fs.statSync(file);
      if (!force && signature(stat) === current.seen) return;
      current = read();
      logger.info({ file }, 'verification keys re-read');
    } catch (error) {
      logger.warn({ file, err: error }, 'verification key file could not be re-read; keeping the keys loaded before');
    }
  };
  return async (header, token) => {
    const now = Date.now();
    if (now - lastLook >= settings.cooldownMs) {
      lastLook = now;
      reload(false);
    }
    try {
      return await current.set(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || now - lastForcedRead < settings.cooldownMs) throw error;
      lastForcedRead = lastLook = now;
      reload(true);
      return current.set(header, token);
    }
  };
}

/** The provider's JWKS endpoint: jose's remote key set, fetched once at startup to check it. */
export async function remoteKeySource(url: string, settings: KeySourceSettings, env: Env): Promise<JWTVerifyGetKey> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`JWT_JWKS_URL is not a valid URL, got "${url}"`);
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && env.NODE_ENV !== 'production')) {
    throw new ConfigError('JWT_JWKS_URL must be an https:// URL (http:// is accepted outside production only)');
  }
  const set = createRemoteJWKSet(parsed, {
    cooldownDuration: settings.cooldownMs,
    cacheMaxAge: settings.cacheMaxAgeMs,
    timeoutDuration: settings.timeoutMs,
  });
  try {
    await set.reload();
  } catch (error) {
    throw new ConfigError(`JWT_JWKS_URL ${url} did not answer with a JWKS: ${(error as Error).message}`);
  }
  return set;
}

/** The keys tokens are verified with, from the configured source (see the file comment). */
export async function loadKeySource(env: Env = process.env): Promise<JWTVerifyGetKey | JSONWebKeySet> {
  const settings = keySourceSettings(env);
  const sources = ['JWT_JWKS_URL', 'JWT_PUBLIC_JWKS_FILE', 'JWT_PUBLIC_JWKS'].filter((v) => env[v]);
  if (sources.length > 1) throw new ConfigError(`set only one of ${sources.join(', ')} (the keys tokens are verified with)`);
  if (env.JWT_JWKS_URL) return remoteKeySource(env.JWT_JWKS_URL, settings, env);
  if (env.JWT_PUBLIC_JWKS_FILE) return fileKeySource(env.JWT_PUBLIC_JWKS_FILE, 'JWT_PUBLIC_JWKS_FILE', settings);
  if (env.JWT_PUBLIC_JWKS) return loadVerificationKeys(env);
  if (env.NODE_ENV === 'production') {
    throw new ConfigError('JWT_JWKS_URL, JWT_PUBLIC_JWKS_FILE or JWT_PUBLIC_JWKS must be set in production');
  }
  await ensureDevKeys(env);
  return fileKeySource(devKeyFile(env), 'development key file', settings);
}
