/**
 * npm run seed -- [--cases N] [--seed S] [--reset]
 * Writes N deterministic synthetic cases (default 200) with every agency's records.
 */
import { openConfiguredDatabases } from '../lib/databases';
import { systemClock } from '../lib/clock';
import { DEFAULT_SEED, clearAll, countCases, seedDemoData } from '../lib/seed';

function parseArgs(argv: string[]) {
  const options = { cases: 200, seed: DEFAULT_SEED, reset: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--reset') options.reset = true;
    else if (arg === '--cases' || arg === '--seed') {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < (arg === '--cases' ? 1 : 0) || value > 1_000_000) {
        throw new Error(`${arg} takes a whole number${arg === '--cases' ? ' from 1 to 1000000' : ''}, got "${argv[i] ?? ''}"`);
      }
      options[arg === '--cases' ? 'cases' : 'seed'] = value;
    } else throw new Error(`unknown argument "${arg}"; usage: npm run seed -- [--cases N] [--seed S] [--reset]`);
  }
  return options;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const opened = await openConfiguredDatabases();
  try {
    const existing = await countCases(opened.databases);
    if (existing > 0 && !options.reset) {
      throw new Error(`the databases already hold ${existing} cases; pass --reset to replace them`);
    }
    if (options.reset) await clearAll(opened.databases);
    console.error(`seeding ${options.cases} cases (seed ${options.seed}) into ${opened.description}`);
    const started = performance.now();
    await seedDemoData(opened.databases, {
      cases: options.cases,
      seed: options.seed,
      // Drawn for today in the policy time zone, so consents and orders are current.
      today: systemClock().today(),
      onProgress: (written, total) => {
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        console.error(`  ${written}/${total} cases (${Math.round((100 * written) / total)}%) ${seconds}s`);
      },
    });
    console.error(`done in ${((performance.now() - started) / 1000).toFixed(1)}s`);
  } finally {
    await opened.close();
  }
}

main().catch((error) => {
  console.error(`seed failed: ${(error as Error).message}`);
  process.exit(1);
});
