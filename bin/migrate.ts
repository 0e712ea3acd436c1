/** npm run migrate: applies every agency's pending TypeORM migrations and lists what ran. */
import { SERVICES } from '../lib/config';
import { openConfiguredDatabases } from '../lib/databases';

async function main(): Promise<void> {
  const opened = await openConfiguredDatabases();
  try {
    for (const agency of SERVICES) {
      const applied: { name: string }[] = await opened.databases[agency].query(
        'SELECT name FROM migrations ORDER BY "timestamp"',
      );
      console.log(`${agency}: ${applied.map((m) => m.name).join(', ')}`);
    }
    console.log(`(${opened.description})`);
  } finally {
    await opened.close();
  }
}

main().catch((error) => {
  console.error(`migrate failed: ${(error as Error).message}`);
  process.exit(1);
});
