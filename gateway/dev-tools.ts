/**
 * Development tools the gateway serves while DEV_TOOLS is on (on by default unless
 * NODE_ENV=production; lib/config.ts devToolsEnabled). Off, they are 404 like any unknown route.
 *
 *   POST /dev/token       {"agency", "role", "purpose", "subject"?, "ttlSeconds"?}
 *                         → 200 {"token": "<JWT>", "expiresIn": <seconds>}, signed by the development
 *                         signer (the keys of `npm run token`); 400 naming the bad field
 *   GET  /dev/vocabulary  the agencies, their roles (with the purposes their own agency's role
 *                         policy grants them) and every purpose, for a sign-in screen
 *   GET  /explorer        GraphiQL with a sign-in form (gateway/explorer.ts)
 *
 * These mint any identity asked for: never on a gateway other people can reach.
 */
import http from 'node:http';
import { GraphQLSchema } from 'graphql';
import { AGENCIES } from '../lib/config';
import { HttpError, Route, readBody, sendJson } from '../lib/http-server';
import { TOKEN_REQUEST_FIELDS, TokenRequestError, signDevToken, tokenClaimsOf } from '../lib/auth/dev-token';
import { PURPOSES, ROLES } from '../lib/auth/vocabulary';
import { loadRolePolicies } from '../lib/policy/roles';
import { grants, loadAgreements } from '../lib/policy/agreements';
import { logger } from '../lib/logger';
import { Verifier } from '../lib/auth/identity';
import { explorerRoute } from './explorer';

export const TOKEN_PATH = '/dev/token';
export const VOCABULARY_PATH = '/dev/vocabulary';

export interface Vocabulary {
  agencies: { agency: string; roles: { role: string; purposes: string[] }[] }[];
  purposes: string[];
}

function only(method: string, request: http.IncomingMessage, path: string): void {
  if (request.method !== method) throw new HttpError(405, `${path} answers ${method} only`);
}

async function issueToken(request: http.IncomingMessage, response: http.ServerResponse, verify: Verifier): Promise<void> {
  only('POST', request, TOKEN_PATH);
  if (!(request.headers['content-type'] ?? '').includes('application/json')) {
    throw new HttpError(415, `send the token request as JSON (Content-Type: application/json): {"agency", "role", "purpose", "subject"?}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(await readBody(request));
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(400, 'the request body is not valid JSON');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(400, `the request body must be a JSON object with ${TOKEN_REQUEST_FIELDS.join(', ')}`);
  }
  let claims;
  try {
    claims = tokenClaimsOf(body as Record<string, unknown>);
  } catch (error) {
    if (!(error instanceof TokenRequestError)) throw error;
    sendJson(response, 400, { errors: [{ message: error.message, extensions: { code: 'BAD_USER_INPUT', field: error.field } }] });
    return;
  }
  const token = await signDevToken(claims);
  // A development key the gateway does not verify with (JWT_JWKS_URL, JWT_PUBLIC_JWKS... set
  // without the matching JWT_PRIVATE_JWK_FILE) would hand out tokens that only ever get 401.
  try {
    await verify(`Bearer ${token}`);
  } catch (error) {
    throw new HttpError(503, `the development signer's tokens do not verify at this gateway (${(error as Error).message}): set JWT_PRIVATE_JWK_FILE to the private key of the keys it verifies with, or unset JWT_JWKS_URL / JWT_PUBLIC_JWKS_FILE / JWT_PUBLIC_JWKS to use the development keys`);
  }
  logger.info({ agency: claims.agency, role: claims.role, purpose: claims.purpose, subject: claims.subject }, 'development token issued');
  response.setHeader('cache-control', 'no-store');
  sendJson(response, 200, { token, expiresIn: claims.ttlSeconds });
}

let vocabulary: Vocabulary | undefined;

/**
 * Every agency's roles, each with the purposes it is granted anything for: by its own agency's role
 * policy, or by an agreement naming it (an analyst's research purpose comes from the outcomes
 * agreements, not from a grant on its own agency's records).
 */
export function devVocabulary(): Vocabulary {
  if (vocabulary) return vocabulary;
  const policies = loadRolePolicies();
  const agreements = loadAgreements();
  vocabulary = {
    agencies: AGENCIES.map((agency) => ({
      agency,
      roles: ROLES[agency].map((role) => {
        const granted = new Set([
          ...(policies[agency].roles[role]?.grants ?? []).flatMap((g) => g.purposes),
          ...agreements.filter((a) => grants(a, agency, role)).flatMap((a) => a.purposes),
        ]);
        return { role, purposes: PURPOSES.filter((p) => granted.has(p)) };
      }),
    })),
    purposes: [...PURPOSES],
  };
  return vocabulary;
}

/** A route answering `path` only. */
export function routeAt(path: string, handle: (request: http.IncomingMessage, response: http.ServerResponse, url: URL) => Promise<void>): Route {
  return (request, response, url) => (url.pathname === path ? handle(request, response, url) : undefined);
}

export interface DevToolOptions {
  /** The gateway's verifier: a token is handed out only if the gateway itself would accept it. */
  verify: Verifier;
  /** The gateway's current API schema, for the explorer. */
  apiSchema: () => GraphQLSchema | undefined;
}

export function devToolRoutes({ verify, apiSchema }: DevToolOptions): Route[] {
  return [
    explorerRoute(apiSchema),
    routeAt(TOKEN_PATH, (request, response) => issueToken(request, response, verify)),
    routeAt(VOCABULARY_PATH, async (request, response) => {
      only('GET', request, VOCABULARY_PATH);
      sendJson(response, 200, devVocabulary());
    }),
  ];
}
