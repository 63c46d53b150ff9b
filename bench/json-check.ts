/**
 * Times isJsonDocument on the benchmark's two summaries (about 10 KB and
 * 10 MB, from bench/ha-documents.ts), in this process and without the
 * gateway around it:
 *
 *   npm run build && node dist/tools/bench/json-check.js [REPEATS]
 *
 * Each repeat times a batch of calls on each document in turn (5,000 calls
 * for 10 KB, 3 for 10 MB) and the medians are printed. To compare two
 * versions of the check, build and run each, alternating a few times,
 * because the machine's load moves the numbers by several percent.
 */
import { performance } from 'node:perf_hooks';
import { isJsonDocument } from '../src/ha/json-document.js';
import { largeSummary, realisticSummary } from './ha-documents.js';
import { median } from './report.js';

const SMALL_CALLS = 5_000;
const LARGE_CALLS = 3;

/** Returns the mean time of one call in milliseconds. */
function timeCalls(bytes: Buffer, calls: number): number {
  const start = performance.now();
  for (let k = 0; k < calls; k += 1) {
    if (!isJsonDocument(bytes)) throw new Error('isJsonDocument rejected a benchmark summary');
  }
  return (performance.now() - start) / calls;
}

const repeats = Number(process.argv[2] ?? 9);
if (!Number.isInteger(repeats) || repeats < 1) {
  throw new Error(`REPEATS must be a positive integer (got "${process.argv[2]}").`);
}

const small = realisticSummary();
const large = largeSummary();

// Let V8 optimise the check before anything is timed.
timeCalls(small, 4 * SMALL_CALLS);
timeCalls(large, LARGE_CALLS);

const smallTimes: number[] = [];
const largeTimes: number[] = [];
for (let r = 0; r < repeats; r += 1) {
  smallTimes.push(timeCalls(small, SMALL_CALLS) * 1000);
  largeTimes.push(timeCalls(large, LARGE_CALLS));
}

console.log(`Node.js ${process.version}, ${repeats} repeats, medians:`);
console.log(`${small.length} bytes: ${median(smallTimes).toFixed(2)} us per call`);
console.log(`${large.length} bytes: ${median(largeTimes).toFixed(2)} ms per call`);
