import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from '@jest/globals';

const RUN_TESTS = fileURLToPath(new URL('../scripts/run-tests.mjs', import.meta.url));

describe('run-tests summary line', () => {
  let directory: string | null = null;

  afterEach(() => {
    if (directory !== null) rmSync(directory, { recursive: true, force: true });
    directory = null;
  });

  test('ignores a previous run report', () => {
    // A directory without Jest, holding the report of an earlier run that passed 42 tests.
    directory = mkdtempSync(join(tmpdir(), 'run-tests-'));
    mkdirSync(join(directory, 'test-output'));
    writeFileSync(
      join(directory, 'test-output', 'jest-report.json'),
      JSON.stringify({ numPassedTests: 42, numFailedTests: 0, numRuntimeErrorTestSuites: 0 }),
    );

    const run = spawnSync(process.execPath, [RUN_TESTS], { cwd: directory, encoding: 'utf8' });

    expect(run.status).toBe(1);
    expect(run.stdout.trim().split('\n').at(-1)).toBe('tests: 0 passed, 1 failed');
  });
});
