/**
 * Who is calling: verified from a signed JWT, never from plain headers. The gateway and every
 * subgraph verify the same way; a request they cannot verify gets 401 before anything runs.
 */
import { GraphQLError } from 'graphql';
import { JSONWebKeySet, JWK, JWTHeaderParameters, JWTVerifyGetKey, SignJWT, createLocalJWKSet, decodeProtectedHeader, errors, importJWK, jwtVerify } from 'jose';
import { ServiceName, ConfigError } from '../config';
import { SIGNING_ALGORITHM } from './keys';
import { Purpose, isAgency, isPurpose, isRoleOf } from './vocabulary';

export interface Caller {
  subject: string;
  agency: ServiceName;
  role: string;
  purpose: Purpose;
  /** The bearer token as received, passed on by the gateway to the subgraphs. */
  token: string;
}

export interface AuthSettings {
  /** A fixed key set, or a source that follows rotations (lib/auth/key-source.ts). */
  keys: JSONWebKeySet | JWTVerifyGetKey;
  issuer: string;
  audience: string;
  /** Tokens older than this are refused even before they expire. */
  maxTokenAgeSeconds: number;
  /** How many verified tokens are remembered (createVerifier); 0 checks every signature every time. */
  verifiedTokenCache: number;
}

type Env = Record<string, string | undefined>;

export function authSettings(keys: JSONWebKeySet | JWTVerifyGetKey, env: Env = process.env): AuthSettings {
  const maxAge = Number(env.JWT_MAX_AGE_SECONDS || 12 * 3600);
  // 0 or NaN would switch the age check off in jose: refuse rather than fail open.
  if (!Number.isInteger(maxAge) || maxAge <= 0) {
    throw new ConfigError(`JWT_MAX_AGE_SECONDS must be a positive whole number of seconds, got "${env.JWT_MAX_AGE_SECONDS}"`);
  }
  const cache = Number(env.VERIFIED_TOKEN_CACHE || DEFAULT_VERIFIED_TOKEN_CACHE);
  if (!Number.isInteger(cache) || cache < 0) {
    throw new ConfigError(`VERIFIED_TOKEN_CACHE must be a whole number of tokens (0 turns the cache off), got "${env.VERIFIED_TOKEN_CACHE}"`);
  }
  return {
    keys,
    verifiedTokenCache: cache,
    issuer: env.JWT_ISSUER || 'dv-case-graph-dev',
    audience: env.JWT_AUDIENCE || 'dv-case-graph',
    maxTokenAgeSeconds: maxAge,
  };
}

export class Unauthenticated extends GraphQLError {
  constructor(reason: string) {
    super(`Unauthenticated: ${reason}`, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
  }
}

export type Verifier = ((authorization: string | undefined) => Promise<Caller>) & {
  /** How many tokens were checked by their signature (the rest were answered from the cache). */
  readonly signatureChecks?: number;
};

/** Tokens remembered once verified (VERIFIED_TOKEN_CACHE); 0 checks every signature every time. */
export const DEFAULT_VERIFIED_TOKEN_CACHE = 10_000;

interface Verified {
  caller: Caller;
  /** The key that verified it: a hit counts only while the key source still gives this key. */
  key: unknown;
  header: JWTHeaderParameters;
  /** Epoch seconds: valid from (iat, nbf) and until (exp, iat + maximum age), as jose checks them. */
  from: number;
  until: number;
}

/**
 * A verifier of bearer tokens. A token that verified is remembered (the VERIFIED_TOKEN_CACHE most recent,
 * by its exact text), so the same caller's next request skips the ES256 signature check, a few
 * per cent of the gateway's CPU per request and as much in each subgraph. A remembered token
 * still counts only while its time claims hold (exp, nbf, iat + JWT_MAX_AGE_SECONDS) and while the
 * key source still gives the very key that verified it: removing the key, or a key source that
 * re-read its keys, sends the token through the full check again. Refusals are not remembered.
 */
export function createVerifier(settings: AuthSettings): Verifier {
  const keySet = typeof settings.keys === 'function' ? settings.keys : createLocalJWKSet(settings.keys);
  const cacheSize = settings.verifiedTokenCache ?? DEFAULT_VERIFIED_TOKEN_CACHE;
  const verified = new Map<string, Verified>();
  let signatureChecks = 0;

  /** The key the source gives for this token's header now, or undefined if none. */
  const currentKey = async (entry: Verified, token: string): Promise<unknown> => {
    const [protectedHeader, payload, signature] = token.split('.');
    try {
      return await keySet(entry.header, { protected: protectedHeader, payload, signature });
    } catch {
      return undefined;
    }
  };

  const remembered = async (token: string): Promise<Caller | undefined> => {
    const entry = verified.get(token);
    if (!entry) return undefined;
    const now = Math.floor(Date.now() / 1000);
    if (now < entry.from || now >= entry.until || (await currentKey(entry, token)) !== entry.key) {
      verified.delete(token);
      return undefined;
    }
    // Most recently used last: the oldest is evicted first.
    verified.delete(token);
    verified.set(token, entry);
    return entry.caller;
  };

  const verify = async (authorization: string | undefined): Promise<Caller> => {
    const match = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(authorization ?? '');
    if (!match) throw new Unauthenticated('send Authorization: Bearer <token> (npm run token makes one)');
    const token = match[1];
    if (cacheSize > 0) {
      const caller = await remembered(token);
      if (caller) return caller;
    }
    let payload;
    let key: unknown;
    signatureChecks++;
    try {
      ({ payload, key } = await jwtVerify(token, keySet, {
        algorithms: [SIGNING_ALGORITHM],
        issuer: settings.issuer,
        audience: settings.audience,
        requiredClaims: ['sub', 'exp', 'iat'],
        maxTokenAge: settings.maxTokenAgeSeconds,
      }));
    } catch (error) {
      throw new Unauthenticated(describeJoseError(error));
    }
    const { sub, agency, role, purpose } = payload as Record<string, unknown>;
    if (typeof sub !== 'string' || sub === '') throw new Unauthenticated('the token has no subject');
    if (!isAgency(agency)) throw new Unauthenticated('the token names no known agency');
    if (!isRoleOf(agency, role)) throw new Unauthenticated(`the token's role is not a role of ${agency}`);
    if (!isPurpose(purpose)) throw new Unauthenticated('the token states no known purpose of use');
    const caller: Caller = { subject: sub, agency, role, purpose, token };
    if (cacheSize > 0) {
      const iat = payload.iat!;
      verified.set(token, {
        caller,
        key,
        header: decodeProtectedHeader(token) as JWTHeaderParameters,
        from: Math.max(iat, payload.nbf ?? iat),
        until: Math.min(payload.exp!, iat + settings.maxTokenAgeSeconds + 1),
      });
      if (verified.size > cacheSize) verified.delete(verified.keys().next().value!);
    }
    return caller;
  };
  return Object.defineProperty(verify, 'signatureChecks', { get: () => signatureChecks }) as Verifier;
}

function describeJoseError(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `the token's ${error.claim} claim is not accepted`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token is not signed with an accepted algorithm';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature does not verify';
  if (error instanceof errors.JWKSNoMatchingKey) return 'the token is not signed by a known key';
  return 'the token is not a valid signed JWT';
}

export interface TokenClaims {
  agency: ServiceName;
  role: string;
  purpose: Purpose;
  subject: string;
  ttlSeconds?: number;
}

/** Signs a token (for `npm run token`, tests and benchmarks). */
export async function signToken(claims: TokenClaims, key: JWK, settings: Pick<AuthSettings, 'issuer' | 'audience'>): Promise<string> {
  const privateKey = await importJWK(key, SIGNING_ALGORITHM);
  return new SignJWT({ agency: claims.agency, role: claims.role, purpose: claims.purpose })
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: key.kid, typ: 'JWT' })
    .setSubject(claims.subject)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt()
    .setExpirationTime(`${claims.ttlSeconds ?? 3600}s`)
    .sign(privateKey);
}
