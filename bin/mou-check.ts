/**
 * npm run mou:check [-- --tsv] [-- --date YYYY-MM-DD]   (default: today in POLICY_TIME_ZONE)
 * Loads and checks every agreement against the subgraphs, fails naming any field no policy
 * classifies, and prints the sharing matrix: agency × role × purpose × field.
 */
import { AGENCIES } from '../lib/config';
import { isCalendarDate } from '../lib/scalars';
import { loadAgreements } from '../lib/policy/agreements';
import { classifyFields } from '../lib/policy/classification';
import { ALL_CALLERS, CELL_MARK, cellFor } from '../lib/policy/matrix';
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
  for (const agency of AGENCIES) {
    const definition = SUBGRAPHS[agency];
    const schema = buildUnguardedSchema(definition);
    checkAgreements(definition, agreements, schema);
    const fields = classifyFields(schema, definition.policy, agreements);
    for (const f of fields.filter((f) => f.classification === 'unclassified')) {
      console.error(`UNCLASSIFIED: ${agency} ${f.coordinate} is neither public, owner-only nor granted by an agreement`);
      unclassified++;
    }
    if (tsv) {
      for (const f of fields) {
        for (const caller of ALL_CALLERS) {
          const cell = cellFor(definition.policy, agreements, f.coordinate, caller, day);
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
      const row = ALL_CALLERS.map((c) => CELL_MARK[cellFor(definition.policy, agreements, f.coordinate, c, day).kind]).join('');
      console.log(`${f.coordinate.padEnd(width)}  ${row}`);
    }
  }
  if (!tsv) {
    console.log(`\nColumns (${day}): O owner, P public, R released, C released per record (scope or consent), . refused`);
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
