/** npm run audit:verify: recomputes every agency's disclosure-log and access-log hash chains and reports. */
import { SERVICES } from '../lib/config';
import { openConfiguredDatabases } from '../lib/databases';
import { verifyChain } from '../lib/policy/audit';

async function main(): Promise<number> {
  const opened = await openConfiguredDatabases();
  let broken = 0;
  try {
    for (const agency of SERVICES) {
      for (const table of ['disclosure_log', 'access_log'] as const) {
        const report = await verifyChain(opened.databases[agency], table);
        if (report.ok) console.log(`${agency} ${table}: ${report.rows} rows, chain intact`);
        else {
          broken++;
          console.log(`${agency} ${table}: BROKEN at row ${report.firstBrokenSeq} of ${report.rows}: ${report.problem}`);
        }
      }
    }
  } finally {
    await opened.close();
  }
  return broken > 0 ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(`audit:verify failed: ${(error as Error).message}`);
    process.exitCode = 2;
  },
);
