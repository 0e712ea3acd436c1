/**
 * The attributes a caller's token carries (GFIPM-style: agency, role, purpose of use), and the
 * words allowed for each. Tokens and agreements naming anything else are refused.
 */
import { SERVICES, ServiceName } from '../config';

export const ROLES: Record<ServiceName, readonly string[]> = {
  courts: ['judge', 'court_clerk', 'analyst'],
  housing: ['housing_caseworker', 'shelter_staff', 'analyst'],
  counseling: ['counselor', 'program_manager', 'analyst'],
  probation: ['probation_officer', 'probation_supervisor', 'analyst'],
  // The outcomes service's own identity: it reads the agencies' records as the research agreements grant it.
  outcomes: ['broker'],
};

export const PURPOSES = [
  'judicial_review',
  'case_management',
  'compliance_monitoring',
  'victim_services',
  'research',
] as const;
export type Purpose = (typeof PURPOSES)[number];

export function isAgency(value: unknown): value is ServiceName {
  return typeof value === 'string' && (SERVICES as readonly string[]).includes(value);
}

export function isPurpose(value: unknown): value is Purpose {
  return typeof value === 'string' && (PURPOSES as readonly string[]).includes(value);
}

export function isRoleOf(agency: ServiceName, role: unknown): role is string {
  return typeof role === 'string' && ROLES[agency].includes(role);
}

/** Every role any agency has. */
export const ALL_ROLES = [...new Set(Object.values(ROLES).flat())];
