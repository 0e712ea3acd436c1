/**
 * What a development token may say, checked in one place for `npm run token` and the gateway's
 * `POST /dev/token` (gateway/dev-tools.ts): a known agency, one of its roles, a known purpose, a
 * subject, a lifetime. Tokens are signed with the development key (or JWT_PRIVATE_JWK_FILE).
 */
import { SERVICES } from '../config';
import { authSettings, signToken, TokenClaims } from './identity';
import { loadSigningKey } from './keys';
import { PURPOSES, ROLES, isAgency, isPurpose, isRoleOf } from './vocabulary';

export const DEFAULT_TOKEN_TTL_SECONDS = 3600;
export const MAX_TOKEN_TTL_SECONDS = 12 * 3600;
const MAX_SUBJECT_LENGTH = 200;

export const TOKEN_REQUEST_FIELDS = ['agency', 'role', 'purpose', 'subject', 'ttlSeconds'] as const;
export type TokenRequestField = (typeof TOKEN_REQUEST_FIELDS)[number];

/** A token request that names what is wrong with it; `field` is the one at fault. */
export class TokenRequestError extends Error {
  override name = 'TokenRequestError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** The claims of a development token, from a request's fields; throws TokenRequestError naming the bad field. */
export function tokenClaimsOf(input: Record<string, unknown>): Required<TokenClaims> {
  for (const field of Object.keys(input)) {
    if (!(TOKEN_REQUEST_FIELDS as readonly string[]).includes(field)) {
      throw new TokenRequestError(field, `unknown field "${field}"; a token request has ${TOKEN_REQUEST_FIELDS.join(', ')}`);
    }
  }
  const { agency, role, purpose, subject, ttlSeconds } = input;
  if (!isAgency(agency)) throw new TokenRequestError('agency', `agency must be one of ${SERVICES.join(', ')}`);
  if (!isRoleOf(agency, role)) throw new TokenRequestError('role', `role must be one of ${agency}'s roles: ${ROLES[agency].join(', ')}`);
  if (!isPurpose(purpose)) throw new TokenRequestError('purpose', `purpose must be one of ${PURPOSES.join(', ')}`);
  if (subject !== undefined && (typeof subject !== 'string' || !/^[^\s\p{Cc}]{1,200}$/u.test(subject))) {
    throw new TokenRequestError('subject', `subject must be 1 to ${MAX_SUBJECT_LENGTH} characters without spaces or control characters`);
  }
  const ttl = ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TOKEN_TTL_SECONDS) {
    throw new TokenRequestError('ttlSeconds', `ttlSeconds must be a whole number of seconds from 1 to ${MAX_TOKEN_TTL_SECONDS}`);
  }
  return { agency, role, purpose, subject: (subject as string | undefined) ?? `${agency}-${role}-dev`, ttlSeconds: ttl };
}

/** Signs a development token with the development key (or JWT_PRIVATE_JWK_FILE). */
export async function signDevToken(claims: TokenClaims, env: Record<string, string | undefined> = process.env): Promise<string> {
  return signToken(claims, await loadSigningKey(env), authSettings({ keys: [] }, env));
}
