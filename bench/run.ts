/**
 * The gateway benchmark: the backend alone, a bare Node.js proxy, nginx and
 * the gateway (warm and cold credentials), measured side by side in one run,
 * then the 10 MB summary and, with --soak, a memory soak. See docs/performance.md.
 *
 *   npm run bench                 full run, PASS/FAIL against each target
 *   npm run bench -- --quick      smoke run: seconds, no targets enforced
 *   npm run bench:soak            3-minute leak check of the gateway
 *   --cpu-prof                    also writes a CPU profile of the gateway to bench/results/profiles/
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { V1_TOKENS } from '../simulators/netbox-fixtures.js';
import { largeSummary } from './ha-documents.js';
import { runLoad, type LoadOptions, type LoadResult } from './load.js';
import { BENCH_API_KEY, COLD_TOKEN_PREFIX, type SummarySize } from './neighbours.js';
import {
  findNginx,
  readRssBytes,
  startBareProxy,
  startGatewayProcess,
  startNeighbours,
  startNginx,
  type Neighbours,
  type Service,
} from './processes.js';
import { formatChecks, formatTable, median, type RowSummary, type TargetCheck } from './report.js';

const RESULTS_DIR = 'bench/results';
const SUMMARY_ROUTE = '/api/plugins/proxbox/ha/summary/';
const BACKEND_SUMMARY_PATH = '/proxmox/cluster/ha/summary';
const WARM_CREDENTIAL = `Token ${V1_TOKENS.proxmoxViewer}`;
const MB = 1024 * 1024;

interface Settings {
  quick: boolean;
  soak: boolean;
  cpuProfile: boolean;
  repeats: number;
  durationS: number;
  largeDurationS: number;
  connections: number;
  largeConnections: number;
  fixedRate: number;
  soakDurationS: number;
  soakMinRequests: number;
}

function readSettings(argv: string[]): Settings {
  const quick = argv.includes('--quick');
  return {
    quick,
    soak: argv.includes('--soak'),
    cpuProfile: argv.includes('--cpu-prof'),
    repeats: quick ? 1 : 3,
    durationS: quick ? 1 : 8,
    largeDurationS: quick ? 1 : 5,
    connections: 50,
    largeConnections: 4,
    fixedRate: 200,
    soakDurationS: quick ? 5 : 180,
    soakMinRequests: quick ? 0 : 200_000,
  };
}

type Target = 'backend' | 'bare' | 'nginx' | 'gateway';

interface RowPlan {
  key: string;
  label: string;
  target: Target;
  size: SummarySize;
  connections: number;
  durationS: number;
  overallRate?: number;
  coldCredentials?: boolean;
}

/** Rows at a fixed rate report latency in fractions of a millisecond (see LoadOptions.preciseLatency). */
const isFixedRate = (row: RowPlan) => row.overallRate !== undefined;

interface Services {
  neighbours: Neighbours;
  bare: Service;
  nginx: Service | null;
  gateway: Service;
}

let coldTokens = 0;
/** Returns a v1 token never sent before, which the simulated NetBox accepts because of its prefix. */
function newColdToken(): string {
  coldTokens += 1;
  return `${COLD_TOKEN_PREFIX}${coldTokens.toString(16).padStart(36, '0')}`;
}

function planRows(settings: Settings, withNginx: boolean): RowPlan[] {
  const fast = { connections: settings.connections, durationS: settings.durationS, size: 'realistic' as const };
  // autocannon's rate limit lets each connection send its share of a second back to back at the start
  // of the second. With 10 connections the 200 requests would arrive as bursts of 10 concurrent requests,
  // and the row would measure queueing within a burst. One connection sends them one after another.
  const fixed = { connections: 1, durationS: settings.durationS, size: 'realistic' as const, overallRate: settings.fixedRate };
  const large = { connections: settings.largeConnections, durationS: settings.largeDurationS, size: 'large' as const };
  const rows: RowPlan[] = [
    { key: 'a', label: '(a) backend directly', target: 'backend', ...fast },
    { key: 'b', label: '(b) bare Node proxy (undici Pool)', target: 'bare', ...fast },
    { key: 'c', label: '(c) nginx proxy_pass, keep-alive', target: 'nginx', ...fast },
    { key: 'd', label: '(d) gateway, warm credential', target: 'gateway', ...fast },
    { key: 'e', label: '(e) gateway, new credential per request', target: 'gateway', coldCredentials: true, ...fast },
    { key: 'a200', label: `(a) backend directly at ${settings.fixedRate} req/s`, target: 'backend', ...fixed },
    { key: 'b200', label: `(b) bare Node proxy at ${settings.fixedRate} req/s`, target: 'bare', ...fixed },
    { key: 'd200', label: `(d) gateway at ${settings.fixedRate} req/s`, target: 'gateway', ...fixed },
    { key: 'aL', label: '(a) backend directly, 10 MB', target: 'backend', ...large },
    { key: 'bL', label: '(b) bare Node proxy, 10 MB', target: 'bare', ...large },
    { key: 'cL', label: '(c) nginx, 10 MB', target: 'nginx', ...large },
    { key: 'dL', label: '(d) gateway, warm credential, 10 MB', target: 'gateway', ...large },
  ];
  return rows.filter((row) => withNginx || row.target !== 'nginx');
}

function loadOptionsFor(row: RowPlan, services: Services): LoadOptions {
  const common = { connections: row.connections, durationS: row.durationS, overallRate: row.overallRate, preciseLatency: isFixedRate(row) };
  switch (row.target) {
    case 'backend':
      return { ...common, url: services.neighbours.backendUrl, path: BACKEND_SUMMARY_PATH, headers: { 'x-proxbox-api-key': BENCH_API_KEY } };
    case 'bare':
      return { ...common, url: services.bare.url, path: SUMMARY_ROUTE };
    case 'nginx':
      return { ...common, url: (services.nginx as Service).url, path: SUMMARY_ROUTE };
    case 'gateway':
      return row.coldCredentials
        ? { ...common, url: services.gateway.url, path: SUMMARY_ROUTE, authorizationPerRequest: () => `Token ${newColdToken()}` }
        : { ...common, url: services.gateway.url, path: SUMMARY_ROUTE, headers: { authorization: WARM_CREDENTIAL } };
  }
}

interface RowRun {
  result: LoadResult;
  rssBefore?: number;
  rssAfter?: number;
  netboxListings: number;
}

async function runRow(row: RowPlan, services: Services): Promise<RowRun> {
  const gatewayPid = row.target === 'gateway' ? services.gateway.pid : null;
  const rssBefore = gatewayPid === null ? undefined : readRssBytes(gatewayPid);
  const before = await services.neighbours.counts();
  const result = await runLoad(loadOptionsFor(row, services));
  // Requests cut off at the end of the run may still be waiting for NetBox.
  await sleep(200);
  const after = await services.neighbours.counts();
  const rssAfter = gatewayPid === null ? undefined : readRssBytes(gatewayPid);
  return { result, rssBefore, rssAfter, netboxListings: after.netboxListings - before.netboxListings };
}

function summarizeRow(row: RowPlan, runs: RowRun[]): RowSummary {
  const total = runs.reduce((sum, run) => sum + run.result.sent, 0);
  const listings = runs.reduce((sum, run) => sum + run.netboxListings, 0);
  const summary: RowSummary = {
    name: row.label,
    requestsPerSecond: median(runs.map((run) => run.result.requestsPerSecond)),
    p50Ms: median(runs.map((run) => run.result.p50Ms)),
    p99Ms: median(runs.map((run) => run.result.p99Ms)),
    errors: runs.reduce((sum, run) => sum + run.result.errors, 0),
    succeeded: runs.reduce((sum, run) => sum + run.result.succeeded, 0),
    latencyDigits: isFixedRate(row) ? 2 : 0,
  };
  if (row.target === 'gateway') {
    summary.rssBeforeMb = (runs[0].rssBefore ?? 0) / MB;
    summary.rssAfterMb = (runs[runs.length - 1].rssAfter ?? 0) / MB;
    summary.netboxCallsPerRequest = total === 0 ? 0 : listings / total;
  }
  return summary;
}

/** Spread of the repeats' throughput, (max - min) / median, as a percentage: the run's noise. */
function spreadPercent(runs: RowRun[]): number {
  const rates = runs.map((run) => run.result.requestsPerSecond);
  const middle = median(rates);
  return middle === 0 ? 0 : ((Math.max(...rates) - Math.min(...rates)) / middle) * 100;
}

async function fetchBody(url: string, dispatcher: Agent): Promise<{ status: number; body: Buffer }> {
  const answer = await request(url, { dispatcher, headers: { authorization: WARM_CREDENTIAL } });
  const chunks: Buffer[] = [];
  for await (const chunk of answer.body) chunks.push(chunk as Buffer);
  return { status: answer.statusCode, body: Buffer.concat(chunks) };
}

interface LargeOutcome {
  identical: boolean;
  inFlight: number;
  bytesInFlight: number;
  rssBeforeMb: number;
  rssPeakMb: number;
}

/** Fetches the 10 MB summary through the gateway once for byte identity, then 20 at once while sampling its RSS. */
async function measureLargeSummary(services: Services, inFlight: number): Promise<LargeOutcome> {
  await services.neighbours.setSummary('large');
  const expected = largeSummary();
  const expectedHash = createHash('sha256').update(expected).digest('hex');
  const dispatcher = new Agent({ connections: inFlight });
  const url = `${services.gateway.url}${SUMMARY_ROUTE}`;

  try {
    const single = await fetchBody(url, dispatcher);
    const identical = single.status === 200 && createHash('sha256').update(single.body).digest('hex') === expectedHash;

    await sleep(500);
    const pid = services.gateway.pid;
    const rssBefore = readRssBytes(pid);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, readRssBytes(pid));
    }, 5);
    const answers = await Promise.all(Array.from({ length: inFlight }, () => fetchBody(url, dispatcher)));
    clearInterval(sampler);
    const allIdentical = answers.every((answer) => answer.status === 200 && answer.body.equals(expected));

    return {
      identical: identical && allIdentical,
      inFlight,
      bytesInFlight: inFlight * expected.length,
      rssBeforeMb: rssBefore / MB,
      rssPeakMb: rssPeak / MB,
    };
  } finally {
    await dispatcher.close();
    await services.neighbours.setSummary('realistic');
  }
}

/** Sends 100 concurrent requests carrying one new credential while NetBox is slow, and counts NetBox listings. */
async function measureSharedCheck(services: Services): Promise<{ requests: number; listings: number; succeeded: number }> {
  const concurrent = 100;
  const credential = `Token ${newColdToken()}`;
  const dispatcher = new Agent({ connections: concurrent });
  await services.neighbours.setNetBoxDelay(300);
  const before = await services.neighbours.counts();
  try {
    const statuses = await Promise.all(
      Array.from({ length: concurrent }, async () => {
        const answer = await request(`${services.gateway.url}${SUMMARY_ROUTE}`, { dispatcher, headers: { authorization: credential } });
        await answer.body.dump();
        return answer.statusCode;
      }),
    );
    const after = await services.neighbours.counts();
    return { requests: concurrent, listings: after.netboxListings - before.netboxListings, succeeded: statuses.filter((status) => status === 200).length };
  } finally {
    await services.neighbours.setNetBoxDelay(0);
    await dispatcher.close();
  }
}

async function startServices(settings: Settings, logDir: string): Promise<Services> {
  const neighbours = await startNeighbours();
  const nginxBinary = findNginx();
  const [bare, nginx, gateway] = await Promise.all([
    startBareProxy(neighbours.backendUrl, BENCH_API_KEY, `${logDir}/bare-proxy.log`),
    nginxBinary === null ? Promise.resolve(null) : startNginx(nginxBinary, neighbours.backendUrl, BENCH_API_KEY),
    startGatewayProcess({
      backendUrl: neighbours.backendUrl,
      apiKey: BENCH_API_KEY,
      netboxUrl: neighbours.netboxUrl,
      logFile: `${logDir}/gateway.log`,
      nodeArgs: settings.cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${RESULTS_DIR}/profiles`] : [],
    }),
  ]);
  return { neighbours, bare, nginx, gateway };
}

async function stopServices(services: Services): Promise<void> {
  await Promise.all([services.gateway.stop(), services.bare.stop(), services.nginx?.stop(), services.neighbours.stop()]);
}

function check(target: string, measured: string, passed: boolean): TargetCheck {
  return { target, measured, passed };
}

async function runComparison(settings: Settings, services: Services): Promise<{ rows: RowSummary[]; checks: TargetCheck[]; noise: Record<string, number>; failedRows: string[] }> {
  const plan = planRows(settings, services.nginx !== null);
  const runs = new Map<string, RowRun[]>(plan.map((row) => [row.key, []]));

  // The first request puts the warm credential's decision in the gateway's cache.
  const warmUp = await runLoad({ url: services.gateway.url, path: SUMMARY_ROUTE, connections: 1, durationS: 1, headers: { authorization: WARM_CREDENTIAL } });
  if (warmUp.succeeded === 0) throw new Error('The gateway returned no 2xx status during the warm-up; see bench/results/logs/gateway.log.');

  let currentSize: SummarySize = 'realistic';
  for (let repeat = 1; repeat <= settings.repeats; repeat += 1) {
    for (const row of plan) {
      if (row.size !== currentSize) {
        await services.neighbours.setSummary(row.size);
        currentSize = row.size;
      }
      const run = await runRow(row, services);
      runs.get(row.key)?.push(run);
      const p99 = run.result.p99Ms.toFixed(isFixedRate(row) ? 2 : 0);
      process.stderr.write(`repeat ${repeat}/${settings.repeats} ${row.label}: ${run.result.requestsPerSecond.toFixed(0)} req/s, p99 ${p99} ms, ${run.result.errors} errors\n`);
    }
  }
  await services.neighbours.setSummary('realistic');

  const summaries = new Map(plan.map((row) => [row.key, summarizeRow(row, runs.get(row.key) ?? [])]));
  const rows = [...summaries.values()];
  const failedRows = rows.filter((row) => row.succeeded === 0).map((row) => row.name);
  const noise = Object.fromEntries(plan.map((row) => [row.key, Math.round(spreadPercent(runs.get(row.key) ?? []))]));

  const a200 = summaries.get('a200') as RowSummary;
  const b200 = summaries.get('b200') as RowSummary;
  const b = summaries.get('b') as RowSummary;
  const c = summaries.get('c');
  const d = summaries.get('d') as RowSummary;
  const d200 = summaries.get('d200') as RowSummary;
  const e = summaries.get('e') as RowSummary;
  const eRuns = runs.get('e') ?? [];
  const coldRequests = eRuns.reduce((sum, run) => sum + run.result.sent, 0);
  const coldListings = eRuns.reduce((sum, run) => sum + run.netboxListings, 0);
  const shared = await measureSharedCheck(services);
  const large = await measureLargeSummary(services, settings.quick ? 4 : 20);
  const addedP99 = d200.p99Ms - a200.p99Ms;
  const rssGrowth = (large.rssPeakMb - large.rssBeforeMb) * MB;

  const checks = [
    check('(d) >= 70% of (b) in req/s', `(d)/(b) = ${(d.requestsPerSecond / b.requestsPerSecond).toFixed(2)}`, d.requestsPerSecond >= 0.7 * b.requestsPerSecond),
    check(
      `p99 at ${settings.fixedRate} req/s within 2 ms of the backend`,
      `gateway ${d200.p99Ms.toFixed(2)} ms, backend ${a200.p99Ms.toFixed(2)} ms, added ${addedP99.toFixed(2)} ms`,
      addedP99 <= 2,
    ),
    check('warm credential: 0 NetBox calls per request', `${(d.netboxCallsPerRequest ?? 0).toFixed(4)} calls/request`, (d.netboxCallsPerRequest ?? 1) === 0),
    check(
      'new credential: at most 3 NetBox calls each',
      `${coldListings} calls for ${coldRequests} new credentials (${(coldListings / Math.max(coldRequests, 1)).toFixed(2)} each)`,
      coldRequests > 0 && coldListings <= 3 * coldRequests,
    ),
    check(
      '100 concurrent requests, one new credential: 1 check',
      `${shared.listings} NetBox calls, ${shared.succeeded}/${shared.requests} answered 200`,
      shared.listings <= 3 && shared.succeeded === shared.requests,
    ),
    check('10 MB summary forwarded byte-identical', large.identical ? 'identical' : 'DIFFERENT', large.identical),
    check(
      `RSS growth with ${large.inFlight} x 10 MB in flight < 3x the bytes in flight`,
      `${large.rssBeforeMb.toFixed(0)} MB -> ${large.rssPeakMb.toFixed(0)} MB peak, growth ${(rssGrowth / large.bytesInFlight).toFixed(2)}x of ${(large.bytesInFlight / MB).toFixed(0)} MB`,
      rssGrowth < 3 * large.bytesInFlight,
    ),
  ];
  if (c !== undefined) {
    checks.splice(1, 0, { target: 'gateway against nginx', measured: `(d)/(c) = ${(d.requestsPerSecond / c.requestsPerSecond).toFixed(2)}`, passed: true, informational: true });
  }
  const p99Check = checks.findIndex((item) => item.target.startsWith('p99 at'));
  checks.splice(p99Check + 1, 0, {
    target: `p99 added at ${settings.fixedRate} req/s by the bare Node proxy, for comparison`,
    measured: `${(b200.p99Ms - a200.p99Ms).toFixed(2)} ms`,
    passed: true,
    informational: true,
  });
  checks.push({ target: 'gateway with a new credential per request', measured: `(e) = ${e.requestsPerSecond.toFixed(0)} req/s`, passed: true, informational: true });
  return { rows, checks, noise, failedRows };
}

/** Loads the gateway with the warm credential for the soak duration, sampling its RSS, until it has served enough requests. */
async function runSoak(settings: Settings, services: Services): Promise<{ checks: TargetCheck[]; samples: { atS: number; rssMb: number }[]; requests: number }> {
  const pid = services.gateway.pid;
  const started = Date.now();
  const samples: { atS: number; rssMb: number }[] = [];
  const sample = () => samples.push({ atS: (Date.now() - started) / 1000, rssMb: readRssBytes(pid) / MB });
  sample();
  const sampler = setInterval(sample, 5_000);

  const base = { url: services.gateway.url, path: SUMMARY_ROUTE, connections: settings.connections, headers: { authorization: WARM_CREDENTIAL } };
  let result = await runLoad({ ...base, durationS: settings.soakDurationS });
  let requests = result.succeeded + result.errors;
  let errors = result.errors;
  while (requests < settings.soakMinRequests) {
    result = await runLoad({ ...base, durationS: 30 });
    requests += result.succeeded + result.errors;
    errors += result.errors;
  }
  clearInterval(sampler);
  sample();

  const end = samples[samples.length - 1];
  const halfway = samples.reduce((closest, current) => (Math.abs(current.atS - end.atS / 2) < Math.abs(closest.atS - end.atS / 2) ? current : closest));
  const growth = end.rssMb - halfway.rssMb;
  const checks = [
    check(
      `RSS under 150 MB after ${settings.soakMinRequests} requests`,
      `${end.rssMb.toFixed(0)} MB after ${requests} requests (${errors} errors)`,
      requests >= settings.soakMinRequests && end.rssMb < 150,
    ),
    check('no RSS growth over the second half (5 MB allowed for GC noise)', `${halfway.rssMb.toFixed(1)} MB at ${halfway.atS.toFixed(0)} s -> ${end.rssMb.toFixed(1)} MB at ${end.atS.toFixed(0)} s`, growth <= 5),
  ];
  return { checks, samples, requests };
}

async function main(): Promise<void> {
  const settings = readSettings(process.argv.slice(2));
  const logDir = `${RESULTS_DIR}/logs`;
  mkdirSync(logDir, { recursive: true });
  const loadBefore = loadavg();
  const services = await startServices(settings, logDir);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');

  let exitCode = 0;
  try {
    const machine = { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadavgBefore: loadBefore };
    if (settings.soak) {
      const soak = await runSoak(settings, services);
      const enforced = !settings.quick;
      process.stdout.write(`\nGateway soak, ${soak.requests} requests:\n${formatChecks(soak.checks, enforced)}\n`);
      writeFileSync(`${RESULTS_DIR}/soak-${stamp}.json`, JSON.stringify({ settings, machine, loadavgAfter: loadavg(), ...soak }, null, 2));
      if (enforced && soak.checks.some((item) => !item.passed)) exitCode = 1;
    } else {
      const comparison = await runComparison(settings, services);
      const enforced = !settings.quick;
      process.stdout.write(`\n${formatTable(comparison.rows)}\n\n${formatChecks(comparison.checks, enforced)}\n`);
      process.stdout.write(`\nnoise: throughput spread over the repeats (max-min)/median, % per row: ${JSON.stringify(comparison.noise)}; load average before ${loadBefore.map((value) => value.toFixed(2)).join(' ')}, after ${loadavg().map((value) => value.toFixed(2)).join(' ')}\n`);
      const file = `${RESULTS_DIR}/bench-${stamp}.json`;
      writeFileSync(file, JSON.stringify({ settings, machine, loadavgAfter: loadavg(), ...comparison }, null, 2));
      process.stdout.write(`results: ${file}\n`);
      if (comparison.failedRows.length > 0) {
        process.stderr.write(`rows without a single 2xx response: ${comparison.failedRows.join(', ')}\n`);
        exitCode = 1;
      }
      if (enforced && comparison.checks.some((item) => !item.passed)) exitCode = 1;
    }
  } finally {
    await stopServices(services);
  }
  process.exit(exitCode);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
