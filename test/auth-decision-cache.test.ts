import { describe, expect, test } from '@jest/globals';
import { DecisionCache, MAX_CACHED_DECISIONS, type Decision } from '../src/auth/decision-cache.js';
import { GatewayFailure } from '../src/ha/gateway-failures.js';

const ALLOW: Decision = { allowed: true };
const DENY: Decision = { allowed: false, code: 'permission_denied' };

/** Creates a clock that the test advances by hand. */
function manualClock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance(milliseconds: number) {
      now += milliseconds;
    },
  };
}

/** Creates a check that counts its calls and returns a fixed decision. */
function countingCheck(decision: Decision) {
  const check = async () => {
    check.calls += 1;
    return decision;
  };
  check.calls = 0;
  return check;
}

describe('DecisionCache', () => {
  test('keeps an allow until its TTL passes', async () => {
    const clock = manualClock();
    const cache = new DecisionCache(60_000, 10_000, MAX_CACHED_DECISIONS, clock.now);
    const check = countingCheck(ALLOW);

    await cache.decide('a', check);
    clock.advance(59_999);
    await cache.decide('a', check);
    expect(check.calls).toBe(1);

    clock.advance(1);
    await cache.decide('a', check);
    expect(check.calls).toBe(2);
  });

  test('keeps a deny for the deny TTL only', async () => {
    const clock = manualClock();
    const cache = new DecisionCache(60_000, 10_000, MAX_CACHED_DECISIONS, clock.now);
    const check = countingCheck(DENY);

    expect(await cache.decide('d', check)).toEqual(DENY);
    clock.advance(9_999);
    expect(await cache.decide('d', check)).toEqual(DENY);
    expect(check.calls).toBe(1);

    clock.advance(1);
    await cache.decide('d', check);
    expect(check.calls).toBe(2);
  });

  test('caches nothing with zero TTLs', async () => {
    const cache = new DecisionCache(0, 0, MAX_CACHED_DECISIONS, manualClock().now);
    const allow = countingCheck(ALLOW);
    const deny = countingCheck(DENY);

    await cache.decide('a', allow);
    await cache.decide('a', allow);
    await cache.decide('d', deny);
    await cache.decide('d', deny);

    expect(allow.calls).toBe(2);
    expect(deny.calls).toBe(2);
    expect(cache.stats()).toEqual({ hits: 0, misses: 4, size: 0 });
  });

  test('shares one pending check among callers', async () => {
    const cache = new DecisionCache(60_000, 10_000);
    let resolveCheck: (decision: Decision) => void = () => undefined;
    let calls = 0;
    const check = () => {
      calls += 1;
      return new Promise<Decision>((resolve) => {
        resolveCheck = resolve;
      });
    };

    const waiting = Array.from({ length: 100 }, () => cache.decide('same', check));
    expect(calls).toBe(1);
    resolveCheck(ALLOW);

    expect(await Promise.all(waiting)).toEqual(Array.from({ length: 100 }, () => ALLOW));
    expect(cache.stats()).toEqual({ hits: 99, misses: 1, size: 1 });
  });

  test('does not cache a failed check', async () => {
    const cache = new DecisionCache(60_000, 10_000);
    const outage = new GatewayFailure('netbox_unreachable', { origin: 'http://127.0.0.1:1', errorCode: 'ECONNREFUSED' });
    let calls = 0;
    const failing = () => {
      calls += 1;
      return Promise.reject(outage);
    };

    const first = cache.decide('f', failing);
    const joined = cache.decide('f', failing);
    await expect(first).rejects.toBe(outage);
    await expect(joined).rejects.toBe(outage);
    expect(calls).toBe(1);

    const recovered = countingCheck(ALLOW);
    expect(await cache.decide('f', recovered)).toEqual(ALLOW);
    expect(recovered.calls).toBe(1);
    expect(cache.stats().size).toBe(1);
  });

  test('evicts the least recently used entry', async () => {
    const cache = new DecisionCache(60_000, 10_000, 3);
    const check = countingCheck(ALLOW);

    await cache.decide('a', check);
    await cache.decide('b', check);
    await cache.decide('c', check);
    await cache.decide('a', check);
    await cache.decide('d', check);
    expect(check.calls).toBe(4);
    expect(cache.stats().size).toBe(3);

    await cache.decide('a', check);
    await cache.decide('c', check);
    await cache.decide('d', check);
    expect(check.calls).toBe(4);

    await cache.decide('b', check);
    expect(check.calls).toBe(5);
  });

  test('keeps a hot entry through many new ones', async () => {
    const cache = new DecisionCache(60_000, 10_000, 10);
    const check = countingCheck(ALLOW);

    await cache.decide('hot', check);
    for (let index = 0; index < 100; index += 1) {
      await cache.decide(`new-${index}`, check);
      await cache.decide('hot', check);
    }

    expect(check.calls).toBe(101);
    expect(cache.stats().size).toBe(10);
  });

  test('evicts an entry not hit for a full capacity of new ones', async () => {
    const cache = new DecisionCache(60_000, 10_000, 10);
    const check = countingCheck(ALLOW);

    await cache.decide('cold', check);
    for (let index = 0; index < 10; index += 1) await cache.decide(`new-${index}`, check);
    await cache.decide('cold', check);

    expect(check.calls).toBe(12);
  });

  test('holds at most 10,000 decisions by default', async () => {
    const cache = new DecisionCache(60_000, 10_000);
    const check = countingCheck(ALLOW);

    for (let index = 0; index <= 10_000; index += 1) {
      await cache.decide(`credential-${index}`, check);
    }
    expect(MAX_CACHED_DECISIONS).toBe(10_000);
    expect(cache.stats().size).toBe(10_000);

    await cache.decide('credential-10000', check);
    expect(check.calls).toBe(10_001);
    await cache.decide('credential-0', check);
    expect(check.calls).toBe(10_002);
  });

  test('counts hits and misses', async () => {
    const cache = new DecisionCache(60_000, 10_000);
    const check = countingCheck(ALLOW);

    await cache.decide('a', check);
    await cache.decide('a', check);
    await cache.decide('a', check);
    await cache.decide('b', check);

    expect(cache.stats()).toEqual({ hits: 2, misses: 2, size: 2 });
  });
});
