/** npm run audit:verify: recomputes every agency's disclosure-log hash chain and reports. */
import { AGENCIES } from '../lib/config';
import { openConfiguredDatabases } from '../lib/databases';
import { verifyChain } from '../lib/policy/audit';

async function main(): Promise<number> {
  const opened = await openConfiguredDatabases();
  let broken = 0;
  try {
    for (const agency of AGENCIES) {
      const report = await verifyChain(opened.databases[agency]);
      if (report.ok) console.log(`${agency}: ${report.rows} rows, chain intact`);
      else {
        broken++;
        console.log(`${agency}: BROKEN at row ${report.firstBrokenSeq} of ${report.rows}: ${report.problem}`);
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
