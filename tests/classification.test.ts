/**
 * Every field of every subgraph is classified — public, owner-only, or granted by an agreement —
 * and the shipped agreements load and check against the subgraphs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { AGENCIES } from '../lib/config';
import { loadAgreements } from '../lib/policy/agreements';
import { classifyFields } from '../lib/policy/classification';
import { buildUnguardedSchema, checkAgreements } from '../lib/subgraph';
import { SUBGRAPHS } from '../subgraphs';

const agreements = loadAgreements();

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
    const shared = fields.filter((f) => /^Mutation\.|^Disclosure\.|Disclosures$|Consents?\b/.test(f.coordinate) && f.classification !== 'owner-only');
    expect(shared.map((f) => f.coordinate)).toEqual([]);
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
