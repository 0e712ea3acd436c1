/**
 * The committed supergraph is what `npm run compose` makes of the subgraph SDL files; composition
 * errors are reported, not swallowed; the example operations are valid against the graph; and
 * every field an agency might withhold from another is nullable.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import {
  GraphQLNamedType,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  isObjectType,
  parse,
  print,
  validate,
} from 'graphql';
import { CompositionFailed, composeSupergraph, readCommittedSupergraph, sdlPath } from '../lib/composition';
import { operation } from './support/stack';
import { SERVICES } from '../lib/config';

function apiSchema(): GraphQLSchema {
  return Supergraph.build(readCommittedSupergraph()).apiSchema().toGraphQLJSSchema();
}

describe('composition', () => {
  it('schema/supergraph.graphql is not stale (run `npm run compose`)', () => {
    expect(readCommittedSupergraph()).toEqual(composeSupergraph());
  });

  it('the SDL is plain ASCII, so every name and string the services take from it is a one-byte string', () => {
    // One em dash in a description made every name parsed from the supergraph a two-byte string;
    // the gateway's serviceName in each error then turned whole responses into two-byte strings,
    // which cost a tenth of its CPU on a caseload (copies and page faults writing them out).
    const nonAscii = [readCommittedSupergraph(), ...SERVICES.map((s) => fs.readFileSync(sdlPath(s), 'utf8'))]
      .flatMap((sdl) => sdl.split('\n'))
      .filter((line) => /[^\x00-\x7f]/.test(line));
    expect(nonAscii).toEqual([]);
  });

  it('reports a composition error with its cause', () => {
    const broken = (agency: string) => {
      const sdl = fs.readFileSync(sdlPath(agency), 'utf8');
      // Housing declares Case.id as a String: the subgraphs disagree on the key's type.
      return agency === 'housing' ? sdl.replace(/type Case @key\(fields: "id"\) \{\n  id: ID!/, 'type Case @key(fields: "id") {\n  id: String!') : sdl;
    };
    expect(() => composeSupergraph(broken)).toThrow(CompositionFailed);
    expect(() => composeSupergraph(broken)).toThrow(/Case\.id/);
  });

  it('names the file of an SDL that does not parse', () => {
    const broken = (agency: string) => (agency === 'probation' ? 'type {' : fs.readFileSync(sdlPath(agency), 'utf8'));
    expect(() => composeSupergraph(broken)).toThrow(/subgraphs\/probation\/schema\.graphql: Syntax Error/);
  });
});

describe('example operations', () => {
  it.each(['WholeCase', 'Caseload'])('%s is valid against the composed graph', (name) => {
    expect(validate(apiSchema(), parse(operation(name))).map((e) => e.message)).toEqual([]);
  });

  it('WholeCase and Caseload select the same fields of a case', () => {
    const fragmentOf = (name: string) =>
      print(parse(operation(name)).definitions.find((d) => d.kind === 'FragmentDefinition')!);
    expect(fragmentOf('Caseload')).toEqual(fragmentOf('WholeCase'));
  });

  it('WholeCase selects every field of every agency reachable from a case', () => {
    // Except what never leaves its owner for a case view: shelter location, clinical notes.
    const ownerOnly = new Set(['ShelterStay.shelter', 'ProgramEnrollment.clinicalNotes']);
    // Back-references to entities the view already holds.
    const backReferences = new Set(['ShelterStay.person', 'ShelterStay.case', 'HousingApplication.person',
      'HousingApplication.case', 'ProgramEnrollment.person', 'ProgramEnrollment.case', 'ProgramEnrollment.mandate',
      'Supervision.person', 'Supervision.case', 'ViolationReport.supervision', 'ViolationReport.case',
      'ProgramMandate.case', 'ProgramMandate.person', 'Referral.person', 'Violation.person', 'Violation.sanctions',
      'Sanction.violation', 'ProgramEnrollment.mandate', 'ProgramMandate.enrollments']);
    const schema = apiSchema();
    const selected = new Set<string>();
    const doc = parse(operation('WholeCase'));
    const walk = (type: GraphQLObjectType, selections: readonly any[]) => {
      for (const selection of selections) {
        if (selection.kind === 'FragmentSpread') {
          const fragment: any = doc.definitions.find((d: any) => d.kind === 'FragmentDefinition' && d.name.value === selection.name.value);
          walk(type, fragment.selectionSet.selections);
          continue;
        }
        const field = type.getFields()[selection.name.value];
        selected.add(`${type.name}.${field.name}`);
        let inner: any = field.type;
        while (inner.ofType) inner = inner.ofType;
        if (selection.selectionSet && isObjectType(inner)) walk(inner, selection.selectionSet.selections);
      }
    };
    walk(schema.getType('Case') as GraphQLObjectType, (doc.definitions[1] as any).selectionSet.selections);
    const missing: string[] = [];
    const visited = new Set<string>();
    const visit = (type: GraphQLObjectType) => {
      if (visited.has(type.name)) return;
      visited.add(type.name);
      for (const field of Object.values(type.getFields())) {
        const coordinate = `${type.name}.${field.name}`;
        // The owners' accounting of disclosures and of accesses and consent records are not part of a
        // case view; nor is whether a research consent to the outcomes service is in force (the broker's).
        const accounting = type.name === 'Person' && /(Disclosures|Accesses|Consents|ResearchConsent)$/.test(field.name);
        if (ownerOnly.has(coordinate) || backReferences.has(coordinate) || accounting) continue;
        if (!selected.has(coordinate)) missing.push(coordinate);
        let inner: any = field.type;
        while (inner.ofType) inner = inner.ofType;
        if (isObjectType(inner)) visit(inner);
      }
    };
    visit(schema.getType('Case') as GraphQLObjectType);
    expect(missing).toEqual([]);
  });
});

describe('nullability', () => {
  it('makes every field of the agencies’ types nullable but ids and pagination plumbing', () => {
    const schema = apiSchema();
    const allowedNonNull = new Set(['Query.cases', 'CaseConnection.nodes', 'CaseConnection.pageInfo', 'PageInfo.hasNextPage']);
    const offenders: string[] = [];
    for (const type of Object.values(schema.getTypeMap()) as GraphQLNamedType[]) {
      if (!isObjectType(type) || type.name.startsWith('__') || type.name === 'Mutation') continue;
      for (const field of Object.values(type.getFields())) {
        const coordinate = `${type.name}.${field.name}`;
        if (field.type instanceof GraphQLNonNull && field.name !== 'id' && !allowedNonNull.has(coordinate)) {
          offenders.push(coordinate);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('keeps SDL beside each subgraph', () => {
    for (const agency of ['courts', 'housing', 'counseling', 'probation']) {
      expect(fs.existsSync(path.join(__dirname, '..', 'subgraphs', agency, 'schema.graphql'))).toBe(true);
    }
  });
});
