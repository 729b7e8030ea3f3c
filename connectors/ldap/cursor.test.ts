import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../src/connector/errors.js';
import { changedSinceFilter, cursorAt, decodeCursor, encodeCursor, formatGeneralizedTime, parseGeneralizedTime } from './cursor.js';

const T = Date.UTC(2026, 10, 24, 21, 58, 55, 700);

describe('cursor', () => {
  it('OpenLDAP: idsync clock when the server publishes none; delta from start − overlap, whole seconds', () => {
    const c = cursorAt({}, 'modifyTimestamp', T);
    expect(c).toEqual({ v: 1, kind: 'time', time: '2026-11-24T21:58:55.700Z' });
    expect(changedSinceFilter(c, {}, 0)).toBe('(modifyTimestamp>=20261124215855Z)');
    expect(changedSinceFilter(c, {}, 60_000)).toBe('(modifyTimestamp>=20261124215755Z)');
  });

  it('never asks for a time before 1970, whatever the overlap', () => {
    expect(changedSinceFilter(cursorAt({}, 'modifyTimestamp', T), {}, Number.MAX_SAFE_INTEGER)).toBe('(modifyTimestamp>=19700101000000Z)');
  });

  it("prefers the server's currentTime", () => {
    expect(cursorAt({ currentTime: '20261124200000.0Z' }, 'modifyTimestamp', T).time).toBe('2026-11-24T20:00:00.000Z');
  });

  it('AD: uSNChanged on the same DC, whenChanged on another', () => {
    const clock = { currentTime: '20261124215855.0Z', highestCommittedUSN: '12345', dsServiceName: 'CN=NTDS Settings,CN=DC1' };
    const c = cursorAt(clock, 'usn', T);
    expect(c).toEqual({ v: 1, kind: 'usn', usn: '12345', dc: 'CN=NTDS Settings,CN=DC1', time: '2026-11-24T21:58:55.000Z' });
    expect(changedSinceFilter(c, clock, 60_000)).toBe('(uSNChanged>=12346)');
    expect(changedSinceFilter(c, { ...clock, dsServiceName: 'CN=NTDS Settings,CN=DC2' }, 60_000)).toBe('(whenChanged>=20261124215755.0Z)');
  });

  it('round-trips as an opaque string and rejects foreign cursors', () => {
    const c = cursorAt({}, 'modifyTimestamp', T);
    expect(decodeCursor(encodeCursor(c), 's')).toEqual(c);
    for (const bad of ['', 'garbage', '{"v":2,"kind":"time","time":"2026-11-24T21:58:55.700Z"}', '{"deltaLink":"https://graph"}']) {
      expect(() => decodeCursor(bad, 'corp')).toThrow(ConnectorError);
    }
    try {
      decodeCursor('x', 'corp');
    } catch (err) {
      expect((err as ConnectorError).code).toBe('connector_config');
    }
  });

  it('GeneralizedTime both ways', () => {
    expect(parseGeneralizedTime('20261124215855Z')).toBe(Date.UTC(2026, 10, 24, 21, 58, 55));
    expect(parseGeneralizedTime('20261124215855.123456Z')).toBe(Date.UTC(2026, 10, 24, 21, 58, 55, 123));
    expect(parseGeneralizedTime('yesterday')).toBeUndefined();
    expect(formatGeneralizedTime(T)).toBe('20261124215855Z');
    expect(formatGeneralizedTime(T, true)).toBe('20261124215855.0Z');
  });
});
