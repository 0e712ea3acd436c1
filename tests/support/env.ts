// Each test file gets its own data folder (development keys are created there) and quiet logs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

process.env.LOG_LEVEL ??= 'silent';
process.env.DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'dv-case-graph-test-'));
