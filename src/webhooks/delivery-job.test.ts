import { describe, expect, it } from 'vitest';
import { wants, webhookTargets } from './delivery-job.js';

describe('wants', () => {
  const target = (events: string[]) => webhookTargets([{ url: 'https://app.example.com/hooks', secretEnv: 'S', events }])[0]!;

  it('takes exact types, families ending in .* (as config/example.yaml writes them) and * for all', () => {
    expect(wants(target(['membership.*']), 'membership.granted')).toBe(true);
    expect(wants(target(['membership.*']), 'person.email_changed')).toBe(false);
    expect(wants(target(['membership.*']), 'membershipX.granted')).toBe(false);
    expect(wants(target(['person.*', 'membership.removed']), 'membership.removed')).toBe(true);
    expect(wants(target(['membership.removed']), 'membership.granted')).toBe(false);
    expect(wants(target(['*']), 'person.email_changed')).toBe(true);
  });
});
