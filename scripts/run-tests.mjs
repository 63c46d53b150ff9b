// Runs Jest in native ESM mode and ends with one line CI reads:
// "tests: N passed, N failed". Extra arguments go to Jest.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

const reportPath = 'test-output/jest-report.json';
mkdirSync('test-output', { recursive: true });
// A report left by an earlier run must not stand in for this one when Jest writes none.
rmSync(reportPath, { force: true });

const jest = spawnSync(
  process.execPath,
  ['node_modules/jest/bin/jest.js', '--runInBand', '--json', `--outputFile=${reportPath}`, ...process.argv.slice(2)],
  { stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules`.trim() } },
);

let passed = 0;
let failed = 0;
try {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  passed = report.numPassedTests;
  failed = report.numFailedTests + report.numRuntimeErrorTestSuites;
} catch {
  failed = 1;
}

process.stdout.write(`tests: ${passed} passed, ${failed} failed\n`);
process.exit(jest.status === 0 && failed === 0 && passed > 0 ? 0 : 1);
