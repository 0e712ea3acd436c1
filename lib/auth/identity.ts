/**
 * Who is calling: verified from a signed JWT, never from plain headers. The gateway and every
 * subgraph verify the same way; a request they cannot verify gets 401 before anything runs.
 */
import { GraphQLError } from 'graphql';
import { JSONWebKeySet, JWK, JWTVerifyGetKey, SignJWT, createLocalJWKSet, errors, importJWK, jwtVerify } from 'jose';
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
}

type Env = Record<string, string | undefined>;

export function authSettings(keys: JSONWebKeySet | JWTVerifyGetKey, env: Env = process.env): AuthSettings {
  const maxAge = Number(env.JWT_MAX_AGE_SECONDS || 12 * 3600);
  // 0 or NaN would switch the age check off in jose: refuse rather than fail open.
  if (!Number.isInteger(maxAge) || maxAge <= 0) {
    throw new ConfigError(`JWT_MAX_AGE_SECONDS must be a positive whole number of seconds, got "${env.JWT_MAX_AGE_SECONDS}"`);
  }
  return {
    keys,
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

export type Verifier = (authorization: string | undefined) => Promise<Caller>;

export function createVerifier(settings: AuthSettings): Verifier {
  const keySet = typeof settings.keys === 'function' ? settings.keys : createLocalJWKSet(settings.keys);
  return async (authorization) => {
    const match = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(authorization ?? '');
    if (!match) throw new Unauthenticated('send Authorization: Bearer <token> (npm run token makes one)');
    const token = match[1];
    let payload;
    try {
      ({ payload } = await jwtVerify(token, keySet, {
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
    return { subject: sub, agency, role, purpose, token };
  };
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
