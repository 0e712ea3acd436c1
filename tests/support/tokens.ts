/** Signed tokens for tests, with the development key of the test's data folder. */
import { ServiceName } from '../../lib/config';
import { TokenClaims, authSettings, signToken } from '../../lib/auth/identity';
import { loadSigningKey } from '../../lib/auth/keys';
import { Purpose } from '../../lib/auth/vocabulary';

export interface Who {
  agency: ServiceName;
  role: string;
  purpose: Purpose;
  subject?: string;
}

export const JUDGE: Who = { agency: 'courts', role: 'judge', purpose: 'judicial_review' };
export const CLERK: Who = { agency: 'courts', role: 'court_clerk', purpose: 'case_management' };
export const PROBATION_OFFICER: Who = { agency: 'probation', role: 'probation_officer', purpose: 'compliance_monitoring' };
export const COUNSELOR: Who = { agency: 'counseling', role: 'counselor', purpose: 'case_management' };
export const CASEWORKER: Who = { agency: 'housing', role: 'housing_caseworker', purpose: 'victim_services' };
/** Admits and exits residents (schema/roles/housing.yaml); sees the shelters it is assigned to (shelter_staff_assignment). */
export const SHELTER_STAFF: Who = { agency: 'housing', role: 'shelter_staff', purpose: 'victim_services' };
/** Starts supervisions; the officer records their events (schema/roles/probation.yaml). */
export const PROBATION_SUPERVISOR: Who = { agency: 'probation', role: 'probation_supervisor', purpose: 'compliance_monitoring' };

const cache = new Map<string, string>();

export async function tokenFor(who: Who, overrides: Partial<TokenClaims> = {}): Promise<string> {
  const key = JSON.stringify([who, overrides]);
  let token = cache.get(key);
  if (!token) {
    token = await signToken(
      { agency: who.agency, role: who.role, purpose: who.purpose, subject: who.subject ?? `${who.agency}-${who.role}-test`, ...overrides },
      await loadSigningKey(),
      authSettings({ keys: [] }),
    );
    cache.set(key, token);
  }
  return token;
}

export async function authHeader(who: Who): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await tokenFor(who)}` };
}
