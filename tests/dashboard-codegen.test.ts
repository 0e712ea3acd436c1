/**
 * The dashboard's typed operations (dashboard/src/generated/graphql.ts) are generated from
 * schema/supergraph.graphql and dashboard/src/operations by `npm run codegen`: this fails while
 * they are stale. The operations themselves are valid against the graph's API schema and within
 * the gateway's operation limits as urql sends them (with __typename added to every selection).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { DocumentNode, Kind, OperationDefinitionNode, parse, validate } from 'graphql';
import { formatDocument } from '@urql/core';
import { operationLimits } from '../lib/config';
import { readListBounds } from '../lib/list-bounds';
import { countTokens, enforceOperationLimits } from '../lib/operation-limits';
import { print } from 'graphql';

const root = path.join(__dirname, '..');
const operationsDir = path.join(root, 'dashboard', 'src', 'operations');
const supergraphSdl = fs.readFileSync(path.join(root, 'schema', 'supergraph.graphql'), 'utf8');

it('the generated typed operations are up to date (npm run codegen)', () => {
  const run = spawnSync(path.join(root, 'node_modules', '.bin', 'graphql-codegen'), ['--config', 'dashboard/codegen.yml', '--check'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`stale or failing: run \`npm run codegen\` and commit the result\n${run.stdout}\n${run.stderr}`);
});

describe("the dashboard's operations", () => {
  const apiSchema = Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
  const bounds = readListBounds(supergraphSdl);
  const limits = operationLimits({});
  const files = [
    ...fs.readdirSync(operationsDir).filter((f) => f.endsWith('.graphql')).map((f) => path.join(operationsDir, f)),
    path.join(root, 'schema', 'operations', 'WholeCase.graphql'),
  ].map((f) => path.relative(root, f));
  // The largest variables the dashboard sends.
  const variables: Record<string, Record<string, unknown>> = { DashboardCaseload: { first: 100, after: null, status: 'OPEN' } };

  it.each(files)('%s is valid and within the operation limits as urql sends it', (file) => {
    const document = formatDocument(parse(fs.readFileSync(path.join(root, file), 'utf8'))) as unknown as DocumentNode;
    expect(validate(apiSchema, document).map((e) => e.message)).toEqual([]);
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    expect(operations.length).toBeGreaterThan(0);
    for (const operation of operations) {
      const name = operation.name!.value;
      const single = { ...document, definitions: document.definitions.filter((d) => d.kind !== Kind.OPERATION_DEFINITION || d === operation) };
      expect(countTokens(print(single))).toBeLessThanOrEqual(limits.maxTokens);
      expect(() => enforceOperationLimits(single, name, variables[name] ?? {}, limits, apiSchema, bounds)).not.toThrow();
    }
  });
});
