import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { closeServer, listen } from '../simulators/listen.js';
import { GATEWAY_NODE_FLAGS } from '../src/node-flags.js';
import { spawnGateway, type GatewayProcess } from './support/gateway-process.js';
import { releasedPort } from './support/ports.js';

// The tests run the image's own commands from the repository root, which
// contains dist/ and package.json the way the image's WORKDIR /app does.
const REPO_ROOT = new URL('..', import.meta.url);
const DOCKERFILE = readFileSync(new URL('Dockerfile', REPO_ROOT), 'utf8').replace(/\\\n/g, ' ');

function execFormCommand(instruction: 'HEALTHCHECK' | 'CMD'): string[] {
  const pattern = instruction === 'HEALTHCHECK' ? /^HEALTHCHECK\b.*?\bCMD\s+(\[.*\])\s*$/m : /^CMD\s+(\[.*\])\s*$/m;
  const match = pattern.exec(DOCKERFILE);
  if (match === null) throw new Error(`the Dockerfile has no exec-form ${instruction}`);
  return JSON.parse(match[1]) as string[];
}

/**
 * Runs the Dockerfile's HEALTHCHECK command with only these variables set.
 * Asynchronously, because a server in this process may have to respond to it.
 */
function runHealthcheck(env: Record<string, string>): Promise<{ status: number | null; stderr: string }> {
  const [program, ...args] = execFormCommand('HEALTHCHECK');
  const child = spawn(program, args, { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stderr })));
}

describe('Dockerfile', () => {
  test('runs the built server as CMD', () => {
    const command = execFormCommand('CMD');

    expect(command).toEqual(['node', ...GATEWAY_NODE_FLAGS, 'dist/main.js']);
    expect(existsSync(new URL('dist/main.js', REPO_ROOT))).toBe(true);
  });

  test('start script passes the same flags', () => {
    const packageJson = JSON.parse(readFileSync(new URL('package.json', REPO_ROOT), 'utf8')) as { scripts: Record<string, string> };

    expect(packageJson.scripts.start).toBe(['node', ...GATEWAY_NODE_FLAGS, 'dist/main.js'].join(' '));
  });

  test('runs as an unprivileged user', () => {
    const users = [...DOCKERFILE.matchAll(/^USER\s+(\S+)/gm)].map((match) => match[1]);

    expect(users.at(-1)).toBe('node');
  });
});

describe('HEALTHCHECK command', () => {
  let gateway: GatewayProcess;

  let port: string;

  beforeAll(async () => {
    gateway = await spawnGateway({ LOGIN_REQUIRED: 'false' });
    port = new URL(gateway.url).port;
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  test('succeeds against a running gateway', async () => {
    const result = await runHealthcheck({ HOST: '127.0.0.1', PORT: port });

    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('probes loopback for a wildcard HOST', async () => {
    const result = await runHealthcheck({ HOST: '0.0.0.0', PORT: port });

    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('fails when nothing listens', async () => {
    const closedPort = await releasedPort();

    const result = await runHealthcheck({ HOST: '127.0.0.1', PORT: String(closedPort) });

    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`healthcheck: http://127.0.0.1:${closedPort}/healthz failed: connect ECONNREFUSED 127.0.0.1:${closedPort}\n`);
  });

  test('fails on a non-200 response', async () => {
    const unhealthy = createServer((_request, response) => {
      response.writeHead(503);
      response.end();
    });
    const unhealthyPort = await listen(unhealthy);

    const result = await runHealthcheck({ HOST: '127.0.0.1', PORT: String(unhealthyPort) });
    await closeServer(unhealthy);

    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`healthcheck: http://127.0.0.1:${unhealthyPort}/healthz returned HTTP 503\n`);
  });
});
