/**
 * Who is signed in: a token from the development signer (POST /dev/token, development only) or
 * one pasted from the identity provider. Kept in this tab's sessionStorage; nothing else stores it.
 */
export interface Session {
  token: string;
  agency: string;
  role: string;
  purpose: string;
  subject?: string;
  /** Seconds since the epoch; the token's own `exp`. */
  expiresAt?: number;
}

export interface Vocabulary {
  agencies: string[];
  roles: Record<string, string[]>;
  purposes: string[];
  /** `agency/role` → the purposes the agency's role policy grants its own staff in that role. */
  rolePurposes: Record<string, string[]>;
}

const KEY = 'dv-dashboard-session';

export function loadSession(): Session | null {
  try {
    const stored = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null;
    if (!stored?.token) return null;
    if (stored.expiresAt && stored.expiresAt * 1000 <= Date.now()) return null;
    return stored;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
}

/** The claims of a JWT, read for display only (the gateway verifies the token on every request). */
export function claimsOf(token: string): Record<string, unknown> | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    return JSON.parse(json) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export function sessionFromToken(token: string): Session | null {
  const claims = claimsOf(token);
  if (!claims || typeof claims.agency !== 'string' || typeof claims.role !== 'string' || typeof claims.purpose !== 'string') return null;
  return {
    token,
    agency: claims.agency,
    role: claims.role,
    purpose: claims.purpose,
    subject: typeof claims.sub === 'string' ? claims.sub : undefined,
    expiresAt: typeof claims.exp === 'number' ? claims.exp : undefined,
  };
}

/**
 * The development signer's vocabulary (GET /dev/vocabulary), or null where it is off (production:
 * tokens come from the identity provider).
 */
export async function fetchVocabulary(): Promise<Vocabulary | null> {
  const response = await fetch('/dev/vocabulary', { headers: { accept: 'application/json' } }).catch(() => null);
  if (!response || !response.ok) return null;
  // { agencies: [{ agency, roles: [{ role, purposes }] }], purposes }
  const body = (await response.json().catch(() => null)) as {
    agencies?: { agency?: unknown; roles?: { role?: unknown; purposes?: unknown }[] }[];
    purposes?: unknown;
  } | null;
  if (!body || !Array.isArray(body.agencies) || !Array.isArray(body.purposes)) return null;
  const vocabulary: Vocabulary = { agencies: [], roles: {}, purposes: body.purposes.filter((p): p is string => typeof p === 'string'), rolePurposes: {} };
  for (const entry of body.agencies) {
    if (typeof entry.agency !== 'string') continue;
    vocabulary.agencies.push(entry.agency);
    vocabulary.roles[entry.agency] = [];
    for (const r of entry.roles ?? []) {
      if (typeof r.role !== 'string') continue;
      vocabulary.roles[entry.agency].push(r.role);
      vocabulary.rolePurposes[`${entry.agency}/${r.role}`] = Array.isArray(r.purposes) ? r.purposes.filter((p): p is string => typeof p === 'string') : [];
    }
  }
  return vocabulary.agencies.length > 0 && vocabulary.purposes.length > 0 ? vocabulary : null;
}

export async function requestDevToken(claims: { agency: string; role: string; purpose: string; subject?: string }): Promise<Session> {
  const response = await fetch('/dev/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(claims),
  });
  const body = (await response.json().catch(() => ({}))) as { token?: string; expiresIn?: number; error?: string; message?: string; errors?: { message: string }[] };
  if (!response.ok || !body.token) {
    throw new Error(body.message ?? body.error ?? body.errors?.[0]?.message ?? `the development signer answered ${response.status}`);
  }
  const session = sessionFromToken(body.token) ?? { token: body.token, ...claims };
  if (!session.expiresAt && body.expiresIn) session.expiresAt = Math.floor(Date.now() / 1000) + body.expiresIn;
  return session;
}

/** The purpose a role usually works under (the sign-in form's default). */
export function usualPurpose(role: string, granted: string[] = []): string {
  const usual = usualPurposeOf(role);
  return granted.length === 0 || granted.includes(usual) ? usual : granted[0];
}

function usualPurposeOf(role: string): string {
  if (role === 'judge') return 'judicial_review';
  if (role.startsWith('probation')) return 'compliance_monitoring';
  if (role === 'housing_caseworker' || role === 'shelter_staff') return 'victim_services';
  if (role === 'analyst') return 'research';
  return 'case_management';
}
