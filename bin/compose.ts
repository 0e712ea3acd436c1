/** npm run compose [-- --check] */
import fs from 'node:fs';
import path from 'node:path';
import { SUPERGRAPH_PATH, composeSupergraph } from '../lib/composition';

function main(): number {
  const check = process.argv.includes('--check');
  let composed: string;
  try {
    composed = composeSupergraph();
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
  const target = path.relative(process.cwd(), SUPERGRAPH_PATH);
  const current = fs.existsSync(SUPERGRAPH_PATH) ? fs.readFileSync(SUPERGRAPH_PATH, 'utf8') : '';
  if (check) {
    if (current !== composed) {
      console.error(`${target} is stale: run \`npm run compose\` and commit the result.`);
      return 1;
    }
    console.log(`${target} is up to date.`);
    return 0;
  }
  if (current === composed) {
    console.log(`${target} is already up to date.`);
  } else {
    fs.writeFileSync(SUPERGRAPH_PATH, composed);
    console.log(`wrote ${target}`);
  }
  return 0;
}

process.exitCode = main();
