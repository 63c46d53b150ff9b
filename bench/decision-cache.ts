/**
 * Times a cache hit in the credential decision cache, in this process and
 * without the gateway around it, with only the hot credential cached and
 * with the cache full (10,000 other credentials, as after a burst of new
 * ones):
 *
 *   npm run build && node dist/tools/bench/decision-cache.js [REPEATS]
 */
import { performance } from 'node:perf_hooks';
import { DecisionCache, MAX_CACHED_DECISIONS, type Decision } from '../src/auth/decision-cache.js';
import { median } from './report.js';

const HITS = 200_000;
const ALLOW: Decision = { allowed: true };
const check = () => Promise.resolve(ALLOW);

/** Returns a cache holding the hot credential and `others` more, all allowed for an hour. */
async function filledCache(others: number): Promise<DecisionCache> {
  const cache = new DecisionCache(3_600_000, 60_000);
  for (let index = 0; index < others; index += 1) await cache.decide(`other-${index}`, check);
  await cache.decide('hot', check);
  return cache;
}

/** Returns the mean time of one hit in microseconds. */
function timeHits(cache: DecisionCache): number {
  const start = performance.now();
  for (let k = 0; k < HITS; k += 1) void cache.decide('hot', check);
  return ((performance.now() - start) * 1000) / HITS;
}

const repeats = Number(process.argv[2] ?? 5);
if (!Number.isInteger(repeats) || repeats < 1) {
  throw new Error(`REPEATS must be a positive integer (got "${process.argv[2]}").`);
}

for (const others of [0, MAX_CACHED_DECISIONS - 1]) {
  const cache = await filledCache(others);
  const before = cache.stats().misses;
  const times = Array.from({ length: repeats }, () => timeHits(cache));
  if (cache.stats().misses !== before) throw new Error('A timed lookup missed the cache.');
  process.stdout.write(`${cache.stats().size} credentials cached: ${median(times).toFixed(2)} µs per hit (median of ${repeats} x ${HITS})\n`);
}
