/**
 * npm run mou:check [-- --tsv] [-- --date YYYY-MM-DD]   (default: today in POLICY_TIME_ZONE)
 * Loads and checks every agreement against the subgraphs, fails naming any field no policy
 * classifies, and prints the sharing matrix: agency × role × purpose × field.
 */
import { SERVICES } from '../lib/config';
import { isCalendarDate } from '../lib/scalars';
import { loadAgreements } from '../lib/policy/agreements';
import { classifyFields } from '../lib/policy/classification';
import { ALL_CALLERS, CELL_MARK, cellFor } from '../lib/policy/matrix';
import { ROLES, PURPOSES } from '../lib/auth/vocabulary';
import { buildUnguardedSchema, checkAgreements, today } from '../lib/subgraph';
import { SUBGRAPHS } from '../subgraphs';

function main(): number {
  const tsv = process.argv.includes('--tsv');
  const dateIndex = process.argv.indexOf('--date');
  const day = dateIndex > 0 ? process.argv[dateIndex + 1] : today();
  if (!isCalendarDate(day ?? '')) throw new Error('--date takes a date written YYYY-MM-DD');
  const agreements = loadAgreements();
  let unclassified = 0;
  if (tsv) console.log(['subgraph', 'field', 'agency', 'role', 'purpose', 'decision', 'agreements', 'conditions'].join('\t'));
  for (const agency of SERVICES) {
    const definition = SUBGRAPHS[agency];
    const schema = buildUnguardedSchema(definition);
    const roles = checkAgreements(definition, agreements, schema);
    const fields = classifyFields(schema, definition.policy, agreements);
    for (const f of fields.filter((f) => f.classification === 'unclassified')) {
      console.error(`UNCLASSIFIED: ${agency} ${f.coordinate} is neither public, owner-only nor granted by an agreement`);
      unclassified++;
    }
    if (tsv) {
      for (const f of fields) {
        for (const caller of ALL_CALLERS) {
          const cell = cellFor(definition.policy, agreements, f.coordinate, caller, day, roles);
          const detail = cell.kind === 'denied' ? cell.reason : cell.kind;
          const ids = 'agreements' in cell ? cell.agreements.join(',') : '';
          const conditions = cell.kind === 'conditional' ? cell.conditions.join('; ') : '';
          console.log([agency, f.coordinate, caller.agency, caller.role, caller.purpose, detail, ids, conditions].join('\t'));
        }
      }
      continue;
    }
    const counts = { public: 0, 'owner-only': 0, granted: 0, unclassified: 0 };
    for (const f of fields) counts[f.classification]++;
    console.log(`\n== ${agency}: ${fields.length} fields — ${counts.public} public, ${counts['owner-only']} owner-only, ${counts.granted} granted by agreement`);
    const width = Math.max(...fields.map((f) => f.coordinate.length));
    for (const f of fields) {
      const row = ALL_CALLERS.map((c) => CELL_MARK[cellFor(definition.policy, agreements, f.coordinate, c, day, roles).kind]).join('');
      console.log(`${f.coordinate.padEnd(width)}  ${row}`);
    }
    // The owner's own roles (schema/roles/<agency>.yaml): fields each reads, for its best purpose, and mutations it calls.
    const reads = fields.filter((f) => !f.coordinate.startsWith('Mutation.') && f.classification !== 'public');
    const writes = fields.filter((f) => f.coordinate.startsWith('Mutation.'));
    console.log(`-- ${agency} own roles (${reads.length} non-public fields, ${writes.length} mutations; schema/roles/${agency}.yaml):`);
    for (const role of ROLES[agency]) {
      const count = (list: typeof fields, kind: 'released' | 'conditional') =>
        Math.max(...PURPOSES.map((purpose) => list.filter((f) => cellFor(definition.policy, agreements, f.coordinate, { agency, role, purpose }, day, roles).kind === kind).length));
      const purposes = PURPOSES.filter((purpose) => fields.some((f) => ['released', 'conditional'].includes(cellFor(definition.policy, agreements, f.coordinate, { agency, role, purpose }, day, roles).kind)));
      const scoped = count(reads, 'conditional');
      console.log(`   ${role.padEnd(22)} reads ${String(count(reads, 'released')).padStart(3)}${scoped ? ` (+${scoped} of assigned records)` : ''}, calls ${count(writes, 'released')} mutations; purposes: ${purposes.join(', ') || 'none'}`);
    }
  }
  if (!tsv) {
    console.log(`\nColumns (${day}): P public, R released (agreement, or for the owner's staff a role grant), C released per record (scope, consent, or assignment), . refused`);
    ALL_CALLERS.forEach((c, i) => console.log(`  ${String(i + 1).padStart(2)} ${c.agency}/${c.role}/${c.purpose}`));
    console.log(`\n${agreements.length} agreements: ${agreements.map((a) => `${a.id} (${a.dataOwner}, ${a.effective}..${a.expires})`).join(', ')}`);
  }
  return unclassified > 0 ? 1 : 0;
}

try {
  process.exitCode = main();
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
}
