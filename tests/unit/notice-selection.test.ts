/** The gateway selects the notice field for clients that don't (gateway/notice-selection.ts). */
import { parse, print } from 'graphql';
import { readCommittedSupergraph } from '../../lib/composition';
import { GATEWAY_NOTICE_ALIAS, noticeSelections } from '../../gateway/notice-selection';

const withNotices = noticeSelections(readCommittedSupergraph());
const added = `${GATEWAY_NOTICE_ALIAS}: redisclosureNotice`;
const norm = (query: string) => print(parse(query));

describe('the notice selection the gateway adds to subgraph operations', () => {
  it('adds it to each selection of a type that carries a notice, in entity fetches and root fields', () => {
    const entities = 'query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Case { programEnrollments { id programType sessions { id } } } ... on ProgramMandate { enrollments { id } } } }';
    expect(withNotices(entities)).toBe(
      norm(`query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Case { programEnrollments { id programType sessions { id } ${added} } } ... on ProgramMandate { enrollments { id ${added} } } } }`),
    );
    expect(withNotices('{ programEnrollment(id: "x") { id } }')).toBe(norm(`{ programEnrollment(id: "x") { id ${added} } }`));
  });

  it('adds it inside named fragments on the type', () => {
    const query = 'query { programEnrollment(id: "x") { ...E } } fragment E on ProgramEnrollment { status }';
    expect(withNotices(query)).toBe(norm(`query { programEnrollment(id: "x") { ...E ${added} } } fragment E on ProgramEnrollment { status ${added} }`));
  });

  it('leaves an operation alone when the field is selected already, or no type carries a notice', () => {
    const selected = '{ programEnrollment(id: "x") { id redisclosureNotice } }';
    expect(withNotices(selected)).toBe(selected);
    const courts = '{ case(id: "x") { docketNumber parties { role } } }';
    expect(withNotices(courts)).toBe(courts);
  });

  it('adds its own when the client’s selection of the field may be skipped', () => {
    const conditional = 'query($n: Boolean!) { programEnrollment(id: "x") { id redisclosureNotice @include(if: $n) } }';
    expect(withNotices(conditional)).toBe(norm(`query($n: Boolean!) { programEnrollment(id: "x") { id redisclosureNotice @include(if: $n) ${added} } }`));
  });
});
