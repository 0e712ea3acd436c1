/**
 * npm run --silent token -- --agency <agency> --role <role> --purpose <purpose> [--sub <id>] [--ttl <seconds>]
 * Prints a signed token on stdout (development key, or JWT_PRIVATE_JWK_FILE).
 */
import { SERVICES } from '../lib/config';
import { authSettings, signToken } from '../lib/auth/identity';
import { loadSigningKey } from '../lib/auth/keys';
import { PURPOSES, ROLES, isAgency, isPurpose, isRoleOf } from '../lib/auth/vocabulary';

function usage(problem: string): never {
  throw new Error(
    `${problem}\nusage: npm run --silent token -- --agency <${SERVICES.join('|')}> --role <role> ` +
      `--purpose <${PURPOSES.join('|')}> [--sub <id>] [--ttl <seconds>]`,
  );
}

async function main(): Promise<void> {
  const args: Record<string, string> = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) usage(`unexpected argument "${argv[i]}"`);
    args[argv[i].slice(2)] = argv[i + 1];
  }
  const { agency, role, purpose } = args;
  if (!isAgency(agency)) usage(`--agency must be one of ${SERVICES.join(', ')}`);
  if (!isRoleOf(agency, role)) usage(`--role must be one of ${agency}'s roles: ${ROLES[agency].join(', ')}`);
  if (!isPurpose(purpose)) usage(`--purpose must be one of ${PURPOSES.join(', ')}`);
  const ttlSeconds = Number(args.ttl ?? 3600);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > 12 * 3600) usage('--ttl must be 1 to 43200 seconds');
  const token = await signToken(
    { agency, role, purpose, subject: args.sub ?? `${agency}-${role}-dev`, ttlSeconds },
    await loadSigningKey(),
    authSettings({ keys: [] }),
  );
  process.stdout.write(`${token}\n`);
}

main().catch((error) => {
  console.error((error as Error).message);
  process.exit(2);
});
