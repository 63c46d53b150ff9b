/** Formats the benchmark's table and its PASS/FAIL lines. */

export interface RowSummary {
  name: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  succeeded: number;
  rssBeforeMb?: number;
  rssAfterMb?: number;
  netboxCallsPerRequest?: number;
  /** Decimals shown for p50 and p99: 0 for autocannon's whole milliseconds. */
  latencyDigits?: number;
}

export interface TargetCheck {
  target: string;
  measured: string;
  passed: boolean;
  /** A number reported for comparison, with no target to pass. */
  informational?: boolean;
}

const formatNumber = (value: number | undefined, digits = 0) => (value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits));

/** Renders rows as a Markdown table, so the output can be pasted into docs/performance.md as is. */
export function formatTable(rows: RowSummary[]): string {
  const header = '| row | req/s | p50 ms | p99 ms | errors | RSS before MB | RSS after MB | NetBox calls/req |';
  const rule = '|---|---:|---:|---:|---:|---:|---:|---:|';
  const lines = rows.map((row) =>
    [
      row.name,
      formatNumber(row.requestsPerSecond),
      formatNumber(row.p50Ms, row.latencyDigits),
      formatNumber(row.p99Ms, row.latencyDigits),
      String(row.errors),
      formatNumber(row.rssBeforeMb),
      formatNumber(row.rssAfterMb),
      formatNumber(row.netboxCallsPerRequest, 2),
    ].join(' | '),
  );
  return [header, rule, ...lines.map((line) => `| ${line} |`)].join('\n');
}

export function formatChecks(checks: TargetCheck[], enforced: boolean): string {
  const verdict = (check: TargetCheck) => {
    if (check.informational || !enforced) return 'info';
    return check.passed ? 'PASS' : 'FAIL';
  };
  return checks.map((check) => `${verdict(check).padEnd(4)}  ${check.target}: ${check.measured}`).join('\n');
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
