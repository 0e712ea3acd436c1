/**
 * Every field of every subgraph is classified — public, owner-only, or granted by an agreement —
 * and the shipped agreements load and check against the subgraphs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { AGENCIES } from '../lib/config';
import { loadAgreements } from '../lib/policy/agreements';
import { classifyFields, coordinatesOf, FEDERATION_PLUMBING, coordinateMatches } from '../lib/policy/classification';
import { PURPOSES, ROLES } from '../lib/auth/vocabulary';
import { RolePolicyError, checkRolePolicy, loadRolePolicies, parseRolePolicy, roleCell } from '../lib/policy/roles';
import { compilePolicy } from '../lib/policy/rules';
import { buildUnguardedSchema, checkAgreements } from '../lib/subgraph';
import { SUBGRAPHS } from '../subgraphs';

const agreements = loadAgreements();
const rolePolicies = loadRolePolicies();

describe.each(AGENCIES)('the %s subgraph', (agency) => {
  const definition = SUBGRAPHS[agency];
  const schema = buildUnguardedSchema(definition);

  it('classifies every field', () => {
    const unclassified = classifyFields(schema, definition.policy, agreements)
      .filter((f) => f.classification === 'unclassified')
      .map((f) => f.coordinate);
    expect(unclassified).toEqual([]);
  });

  it('accepts the agreements it owns', () => {
    expect(() => checkAgreements(definition, agreements, schema)).not.toThrow();
    expect(agreements.some((a) => a.dataOwner === agency)).toBe(true);
  });

  it('keeps every mutation and the accounting of disclosures owner-only', () => {
    const fields = classifyFields(schema, definition.policy, agreements);
    const shared = fields.filter((f) => /^Mutation\.|^Disclosure\.|Disclosures$|^Access\.|Accesses$|Consents?\b/.test(f.coordinate) && f.classification !== 'owner-only');
    // The one exception: whether the victim's research consent is in force, granted to the outcomes
    // service only under that very consent (MOU-2026-HSG-O1, MOU-2026-CNS-O2), never the consent record.
    const consentFlag = `Person.${agency}ResearchConsent`;
    expect(shared.filter((f) => f.coordinate !== consentFlag).map((f) => f.coordinate)).toEqual([]);
    for (const f of shared) {
      expect(f.agreements.map((id) => agreements.find((a) => a.id === id)).every((a) => a?.consentRequired && a.grantees.every((g) => g.agency === 'outcomes'))).toBe(true);
    }
  });

  it('decides every field for every one of its own roles and purposes: granted, granted per assigned record, or refused', () => {
    const roles = rolePolicies[agency];
    const compiled = compilePolicy(schema, definition.policy, agreements, roles);
    const isPublic = (c: string) => [...definition.policy.public, ...FEDERATION_PLUMBING].some((p) => coordinateMatches(p, c));
    const undecided: string[] = [];
    const tally: Record<string, { granted: number; scoped: number; withheld: number; byDefault: number }> = {};
    for (const coordinate of coordinatesOf(schema)) {
      const [typeName, fieldName] = coordinate.split('.');
      // The one compiled rule tree decides it (no second mechanism).
      if (!(compiled.rules as any)[typeName]?.[fieldName]) undecided.push(`${coordinate}: no rule`);
      if (isPublic(coordinate)) continue;
      for (const role of ROLES[agency]) {
        const t = (tally[role] ??= { granted: 0, scoped: 0, withheld: 0, byDefault: 0 });
        const cells = PURPOSES.map((purpose) => roleCell(roles, coordinate, role, purpose));
        if (cells.some((c) => c.kind === 'granted')) t.granted++;
        else if (cells.some((c) => c.kind === 'scoped')) t.scoped++;
        else if (cells.every((c) => c.kind === 'denied' && c.reason === 'ROLE_NOT_PERMITTED' && c.withheld)) t.withheld++;
        else if (cells.every((c) => c.kind === 'denied')) t.byDefault++;
        else undecided.push(`${coordinate} for ${role}`);
      }
    }
    expect(undecided).toEqual([]);
    const nonPublic = coordinatesOf(schema).filter((c) => !isPublic(c)).length;
    for (const role of ROLES[agency]) {
      const t = tally[role];
      expect(t.granted + t.scoped + t.withheld + t.byDefault).toBe(nonPublic);
    }
    // Analysts write nothing, and read no name, date of birth, docket number, address or free text.
    const identifiers = /\.(givenName|familyName|dateOfBirth|docketNumber|address|name|notes|body|summary|description|otherConditions|officerName|assessorName|providerName|author)$|^Hearing\.outcome$|^Supervision\.conditions$/;
    const analystReads = coordinatesOf(schema).filter((c) => !isPublic(c) && PURPOSES.some((p) => roleCell(roles, c, 'analyst', p).kind !== 'denied'));
    expect(analystReads.filter((c) => c.startsWith('Mutation.') || identifiers.test(c))).toEqual([]);
  });
});

describe('role policies (schema/roles)', () => {
  const file = fs.readFileSync(path.join(__dirname, '..', 'schema', 'roles', 'housing.yaml'), 'utf8');
  const schema = buildUnguardedSchema(SUBGRAPHS.housing);

  it('stop startup naming the file and the problem: unknown role, purpose or coordinate, a missing role, a grant without its legal basis', () => {
    expect(() => parseRolePolicy(file.replace('  analyst:', '  janitor:'), 'roles/housing.yaml')).toThrow(
      /roles\/housing\.yaml: .*roles names "janitor", not a role of housing.*"analyst" is missing/,
    );
    expect(() => parseRolePolicy(file.replace('purposes: [victim_services, case_management]', 'purposes: [curiosity]'), 'roles/housing.yaml')).toThrow(/purposes names "curiosity"/);
    expect(() => parseRolePolicy(file.replace('legalBasis: Shelter staff admit and exit residents and take their releases at intake.', "legalBasis: ''"), 'roles/housing.yaml'))
      .toThrow(/roles\.shelter_staff\.grants\[2\]\.legalBasis must be non-empty text/);
    const bad = parseRolePolicy(file.replace('Shelter.id, Shelter.capacity]', 'Shelter.id, Shelter.capacity, Shelter.shoeSize]'), 'roles/housing.yaml');
    expect(() => checkRolePolicy(bad, schema, SUBGRAPHS.housing.policy)).toThrow(/roles\/housing\.yaml: roles\.housing_caseworker\.grants\[0\] names Shelter\.shoeSize, which the housing schema does not have/);
    const contradicts = parseRolePolicy(file.replace('reason: Where a victim is stays with the shelter staff who house her.', 'reason: x\n      - fields: [ShelterStay.status]\n        reason: y'), 'roles/housing.yaml');
    expect(() => checkRolePolicy(contradicts, schema, SUBGRAPHS.housing.policy)).toThrow(/withheld\[1\] names ShelterStay\.status, but ShelterStay\.status is granted to housing_caseworker/);
    expect(() => parseRolePolicy(file.replace('mutations: [admitToShelter', 'fields: [Mutation.admitToShelter]\n        mutations: [admitToShelter'), 'x.yaml')).toThrow(RolePolicyError);
  });
});

describe('npm run mou:check', () => {
  const root = path.join(__dirname, '..');

  it('prints the matrix of agency × role × purpose × field', () => {
    const out = execFileSync('npx', ['tsx', 'bin/mou-check.ts', '--tsv', '--date', '2026-11-24'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('subgraph\tfield\tagency\trole\tpurpose\tdecision\tagreements\tconditions');
    const row = (field: string, who: string) => lines.find((l) => l.startsWith(field + '\t') && l.includes(`\t${who}\t`))?.split('\t');
    expect(row('housing\tPerson.housingStatus', 'courts\tjudge\tjudicial_review')?.slice(5)).toEqual(['conditional', 'MOU-2026-HSG-01', 'MOU-2026-HSG-01: consent']);
    expect(row('housing\tShelterStay.shelter', 'courts\tjudge\tjudicial_review')?.[5]).toBe('OWNER_ONLY');
    // The owner's own roles, from schema/roles.
    expect(row('housing\tShelterStay.shelter', 'housing\thousing_caseworker\tvictim_services')?.[5]).toBe('ROLE_NOT_PERMITTED');
    expect(row('housing\tShelterStay.shelter', 'housing\tshelter_staff\tvictim_services')?.slice(5)).toEqual(['conditional', 'housing/shelter_staff#1', 'housing/shelter_staff#1: records assigned_shelter']);
    expect(row('courts\tMutation.openCase', 'courts\tcourt_clerk\tcase_management')?.slice(5, 7)).toEqual(['released', 'courts/court_clerk#2']);
    expect(row('courts\tMutation.openCase', 'courts\tcourt_clerk\tresearch')?.[5]).toBe('PURPOSE_NOT_COVERED');
    expect(row('courts\tCase.docketNumber', 'courts\tanalyst\tresearch')?.[5]).toBe('ROLE_NOT_PERMITTED');
    expect(row('probation\tSupervision.status', 'housing\thousing_caseworker\tvictim_services')?.slice(5, 7)).toEqual(['AGREEMENT_EXPIRED', 'MOU-2024-PRB-02']);
    // every subgraph field × every caller
    expect(lines.length - 1).toBeGreaterThan(10_000);
  });

  it('fails naming the file and the problem when an agreement names a field that does not exist', () => {
    const fs = require('node:fs') as typeof import('node:fs');
    const os = require('node:os') as typeof import('node:os');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mous-'));
    for (const f of fs.readdirSync(path.join(root, 'schema', 'mous'))) fs.copyFileSync(path.join(root, 'schema', 'mous', f), path.join(dir, f));
    const file = path.join(dir, 'housing-status-to-courts.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('  - Person.housingStatus', '  - Person.housingStatus\n  - ShelterStay.shelter\n  - Person.shoeSize'));
    const { loadAgreements: load } = require('../lib/policy/agreements') as typeof import('../lib/policy/agreements');
    const loaded = load(dir);
    expect(() => checkAgreements(SUBGRAPHS.housing, loaded)).toThrow(
      /housing-status-to-courts\.yaml: fields names ShelterStay\.shelter, which never leaves housing \(a shelter's name and address reveal where a victim is\); fields names Person\.shoeSize, which the housing subgraph does not have/,
    );
    const run = spawnSync('npx', ['tsx', 'bin/mou-check.ts'], { cwd: root, encoding: 'utf8' });
    expect(run.status).toBe(0);
  });
});
