/**
 * The repository's root folder, whether this code runs from its TypeScript sources (tsx, jest) or
 * compiled into dist/ (`npm run build:server`, which `npm start` runs first): the files kept beside
 * the code (SDL, agreements, role policies, the supergraph, .data) are read from the sources' tree.
 */
import fs from 'node:fs';
import path from 'node:path';

const above = path.resolve(__dirname, '..');
const compiled = path.basename(above) === 'dist' && !fs.existsSync(path.join(above, 'package.json'));
export const ROOT = compiled ? path.dirname(above) : above;
