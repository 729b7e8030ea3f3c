import { describe, expect, it } from 'vitest';
import { WriteWindow } from './write-window.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('WriteWindow', () => {
  it('runs at most `limit` writes at once and drains them all', async () => {
    const window = new WriteWindow(2);
    let running = 0;
    let most = 0;
    const done: number[] = [];
    for (let i = 0; i < 6; i++) {
      await window.add(async () => {
        most = Math.max(most, ++running);
        await tick();
        running--;
        done.push(i);
      });
    }
    await window.drain();
    expect(most).toBe(2);
    expect(done.sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('fails the next add after a write fails, and starts nothing more', async () => {
    const window = new WriteWindow(2);
    const started: number[] = [];
    await window.add(async () => {
      started.push(0);
      throw new Error('connection reset');
    });
    await tick();
    await expect(window.add(async () => void started.push(1))).rejects.toThrow('connection reset');
    await expect(window.drain()).rejects.toThrow('connection reset');
    expect(started).toEqual([0]);
  });

  it('fails the drain when the last write fails', async () => {
    const window = new WriteWindow(3);
    await window.add(async () => {
      await tick();
      throw new Error('deadlock');
    });
    await expect(window.drain()).rejects.toThrow('deadlock');
  });
});
