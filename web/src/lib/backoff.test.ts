import { describe, expect, it } from 'vitest';
import { backoffCap, backoffDelay } from './backoff';

describe('backoffCap', () => {
  it('starts at the base and doubles', () => {
    expect(backoffCap(0)).toBe(500);
    expect(backoffCap(1)).toBe(1000);
    expect(backoffCap(2)).toBe(2000);
    expect(backoffCap(5)).toBe(16_000);
  });

  it('never exceeds the maximum, even for huge attempts', () => {
    expect(backoffCap(6)).toBe(30_000);
    expect(backoffCap(100)).toBe(30_000);
    expect(backoffCap(10_000)).toBe(30_000);
  });

  it('honours custom options', () => {
    expect(backoffCap(3, { baseMs: 100, factor: 3, maxMs: 1000 })).toBe(1000);
    expect(backoffCap(2, { baseMs: 100, factor: 3, maxMs: 1000 })).toBe(900);
  });
});

describe('backoffDelay', () => {
  it('is full jitter: between 0 and the cap', () => {
    expect(backoffDelay(3, {}, () => 0)).toBe(0);
    expect(backoffDelay(3, {}, () => 0.5)).toBe(2000);
    const top = backoffDelay(3, {}, () => 0.999_999_9);
    expect(top).toBeLessThan(4000);
    expect(top).toBeGreaterThan(3990);
  });

  it('stays within bounds for random draws', () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      for (let i = 0; i < 50; i++) {
        const d = backoffDelay(attempt);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(backoffCap(attempt));
        expect(d).toBeLessThan(30_000);
      }
    }
  });

  it('spreads the delays (jitter)', () => {
    const seen = new Set(Array.from({ length: 50 }, () => backoffDelay(8)));
    expect(seen.size).toBeGreaterThan(10);
  });

  it('clamps a misbehaving random source', () => {
    expect(backoffDelay(0, {}, () => 1)).toBeLessThan(500);
    expect(backoffDelay(0, {}, () => -1)).toBe(0);
  });
});
