import { AgreementError, parseAgreement } from '../../lib/policy/agreements';

const VALID = `
id: MOU-TEST-01
version: 1
title: Test
parties: [probation, courts]
dataOwner: probation
grantees:
  - agency: courts
    roles: [judge]
purposes: [judicial_review]
effective: 2026-01-01
expires: 2026-12-31
consentRequired: false
legalBasis: Test basis
fields: [Supervision.status]
`;

describe('parseAgreement', () => {
  it('reads a valid agreement', () => {
    expect(parseAgreement(VALID, 'x.yaml')).toMatchObject({ id: 'MOU-TEST-01', dataOwner: 'probation', effective: '2026-01-01', fields: ['Supervision.status'] });
  });

  it.each([
    ['dataOwner: probation', 'dataOwner: shelters', 'dataOwner must be one of courts, housing, counseling, probation'],
    ['roles: [judge]', 'roles: [janitor]', 'grantees[0].roles names "janitor", not a role of courts'],
    ['purposes: [judicial_review]', 'purposes: [curiosity]', 'purposes names "curiosity"'],
    ['expires: 2026-12-31', 'expires: 2025-12-31', 'expires must not be before effective'],
    ['fields: [Supervision.status]', 'fields: [status]', 'fields names "status", not a Type.field coordinate'],
    ['consentRequired: false', 'consentRequired: maybe', 'consentRequired must be true or false'],
    ['  - agency: courts', '  - agency: probation', 'grantees[0] is the data owner'],
    ['title: Test', 'title: Test\ncolour: blue', 'unknown key "colour"'],
  ])('names the problem: %s → %s', (from, to, message) => {
    expect(() => parseAgreement(VALID.replace(from, to), 'schema/mous/x.yaml')).toThrow(AgreementError);
    expect(() => parseAgreement(VALID.replace(from, to), 'schema/mous/x.yaml')).toThrow(`schema/mous/x.yaml: `);
    expect(() => parseAgreement(VALID.replace(from, to), 'schema/mous/x.yaml')).toThrow(message);
  });

  it('names the file of YAML that does not parse', () => {
    expect(() => parseAgreement('id: [unclosed', 'schema/mous/broken.yaml')).toThrow(/^schema\/mous\/broken\.yaml: not valid YAML/);
  });
});
