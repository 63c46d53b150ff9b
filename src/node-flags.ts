/**
 * Node.js flags the gateway runs with: package.json's start script, the
 * Dockerfile's CMD, the sandbox and the benchmark all pass them, and a test
 * keeps the first two in step with this list.
 *
 * --max-semi-space-size=8 gives V8's young generation 2 x 8 MB instead of
 * Node.js 20's 2 x 16 MB. In a side-by-side run of 260,000 requests each,
 * the RSS stayed at 130-132 MB with it and read 160-191 MB without it, for
 * about 2% less throughput (docs/performance.md).
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];
