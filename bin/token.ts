/**
 * npm run --silent token -- --agency <agency> --role <role> --purpose <purpose> [--sub <id>] [--ttl <seconds>]
 * Prints a signed token on stdout (development key, or JWT_PRIVATE_JWK_FILE).
 */
import { SERVICES } from '../lib/config';
import { TokenRequestError, signDevToken, tokenClaimsOf } from '../lib/auth/dev-token';
import { PURPOSES } from '../lib/auth/vocabulary';

/** The command's flags, by the token request's fields. */
const FLAGS: Record<string, string> = { agency: 'agency', role: 'role', purpose: 'purpose', sub: 'subject', ttl: 'ttlSeconds' };

function usage(problem: string): never {
  throw new Error(
    `${problem}\nusage: npm run --silent token -- --agency <${SERVICES.join('|')}> --role <role> ` +
      `--purpose <${PURPOSES.join('|')}> [--sub <id>] [--ttl <seconds>]`,
  );
}

async function main(): Promise<void> {
  const request: Record<string, unknown> = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const field = FLAGS[argv[i].replace(/^--/, '')];
    if (!argv[i].startsWith('--') || !field || argv[i + 1] === undefined) usage(`unexpected argument "${argv[i]}"`);
    request[field] = field === 'ttlSeconds' ? Number(argv[i + 1]) : argv[i + 1];
  }
  let claims;
  try {
    claims = tokenClaimsOf(request);
  } catch (error) {
    if (!(error instanceof TokenRequestError)) throw error;
    const flag = Object.keys(FLAGS).find((f) => FLAGS[f] === error.field) ?? error.field;
    // The request's messages start with the field's name: say the flag instead.
    usage(error.message.startsWith(error.field) ? `--${flag}${error.message.slice(error.field.length)}` : error.message);
  }
  process.stdout.write(`${await signDevToken(claims)}\n`);
}

main().catch((error) => {
  console.error((error as Error).message);
  process.exit(2);
});
