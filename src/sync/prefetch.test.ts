import { describe, expect, it } from 'vitest';
import { prefetch } from './prefetch.js';

describe('prefetch', () => {
  it('fetches the next item while the caller works on the current one', async () => {
    const log: string[] = [];
    async function* source() {
      for (let i = 0; i < 3; i++) {
        log.push(`fetch ${i}`);
        await new Promise((r) => setTimeout(r, 5));
        yield i;
      }
    }
    for await (const i of prefetch(source())) {
      log.push(`work ${i}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(log).toEqual(['fetch 0', 'fetch 1', 'work 0', 'fetch 2', 'work 1', 'work 2']);
  });

  it('surfaces the source error when the caller reaches it, and closes the source on early exit', async () => {
    let closed = false;
    async function* failing() {
      try {
        yield 1;
        throw new Error('boom');
      } finally {
        closed = true;
      }
    }
    const seen: number[] = [];
    await expect(async () => {
      for await (const i of prefetch(failing())) seen.push(i);
    }).rejects.toThrow('boom');
    expect(seen).toEqual([1]);
    expect(closed).toBe(true);

    closed = false;
    async function* endless() {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        closed = true;
      }
    }
    for await (const i of prefetch(endless())) if (i === 2) break;
    expect(closed).toBe(true);
  });
});
