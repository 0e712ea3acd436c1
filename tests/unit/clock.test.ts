import { ConfigError } from '../../lib/config';
import { fixedClock, instantAt, localDate, policyTimeZone, systemClock } from '../../lib/clock';

describe('the policy clock', () => {
  it('validates POLICY_TIME_ZONE, defaulting to America/New_York', () => {
    expect(policyTimeZone({})).toBe('America/New_York');
    expect(policyTimeZone({ POLICY_TIME_ZONE: 'America/Los_Angeles' })).toBe('America/Los_Angeles');
    expect(() => policyTimeZone({ POLICY_TIME_ZONE: 'Mars/Olympus' })).toThrow(ConfigError);
    expect(() => policyTimeZone({ POLICY_TIME_ZONE: 'Mars/Olympus' })).toThrow(/POLICY_TIME_ZONE must be an IANA time zone/);
  });

  it('gives the local date of an instant in the zone, across daylight saving', () => {
    expect(localDate(new Date('2026-12-31T04:59:00Z'), 'America/New_York')).toBe('2026-12-30');
    expect(localDate(new Date('2026-12-31T05:00:00Z'), 'America/New_York')).toBe('2026-12-31');
    expect(instantAt('2026-12-31T23:30', 'America/New_York').toISOString()).toBe('2027-01-01T04:30:00.000Z');
    expect(instantAt('2026-07-04T23:30', 'America/New_York').toISOString()).toBe('2026-07-05T03:30:00.000Z');
    expect(instantAt('2026-07-04T23:30', 'UTC').toISOString()).toBe('2026-07-04T23:30:00.000Z');
  });

  it('is fixed or real, as injected', () => {
    const clock = fixedClock('2031-06-15T23:30', 'America/Chicago');
    expect(clock.today()).toBe('2031-06-15');
    clock.set('2031-06-16T00:30');
    expect(clock.today()).toBe('2031-06-16');
    expect(systemClock('UTC').today()).toBe(new Date().toISOString().slice(0, 10));
  });
});
