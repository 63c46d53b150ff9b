import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';

// Debian's docker-compose package (1.29) parses and validates compose files without a Docker engine.
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const BESIDE_NETBOX = ['docker-compose.yml'];
const DEMO = ['docker-compose.yml', 'docker-compose.demo.yml'];

let workDirectory: string;
let exampleEnv: string;

beforeAll(async () => {
  workDirectory = await mkdtemp(join(tmpdir(), 'ha-gateway-compose-'));
  exampleEnv = await readFile(join(REPO_ROOT, '.env.example'), 'utf8');
});

afterAll(async () => {
  await rm(workDirectory, { recursive: true, force: true });
});

/**
 * Runs docker-compose on the committed files with `envText` as the env file.
 * Only PATH and HOME reach it, so no variable of the test's own environment
 * overrides the file.
 */
async function runCompose(files: string[], envText: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const envFile = join(workDirectory, `${files.length}-${Date.now()}.env`);
  await writeFile(envFile, envText);
  const fileArgs = files.flatMap((file) => ['-f', join(REPO_ROOT, file)]);
  const child = spawn('docker-compose', [...fileArgs, '--env-file', envFile, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: workDirectory },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`docker-compose could not be started (install the docker-compose package): ${error.message}`)));
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function withoutVariable(envText: string, name: string): string {
  return envText.split('\n').filter((line) => !line.startsWith(`${name}=`)).join('\n');
}

describe.each([
  ['docker-compose.yml', BESIDE_NETBOX, ['gateway', 'proxbox-api', 'proxy']],
  ['docker-compose.yml with docker-compose.demo.yml', DEMO, ['gateway', 'netbox', 'postgres', 'proxbox-api', 'proxy', 'redis']],
])('%s', (_name, files, services) => {
  test('validates with the example env file', async () => {
    const result = await runCompose(files, exampleEnv, ['config', '-q']);

    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('defines the expected services', async () => {
    const result = await runCompose(files, exampleEnv, ['config', '--services']);

    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n').sort()).toEqual(services);
  });

  test('stops without the proxbox-api key', async () => {
    const result = await runCompose(files, withoutVariable(exampleEnv, 'PROXBOX_API_KEY'), ['config', '-q']);

    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('set PROXBOX_API_KEY in .env (see .env.example)');
  });
});

describe('docker-compose.yml', () => {
  test('joins the network named in NETBOX_NETWORK', async () => {
    const envText = exampleEnv.replace(/^NETBOX_NETWORK=.*$/m, 'NETBOX_NETWORK=my-netbox_default');

    const result = await runCompose(BESIDE_NETBOX, envText, ['config']);

    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^networks:\n  netbox:\n    external: true\n    name: my-netbox_default\n/m);
  });

  test('mounts the committed proxy config', async () => {
    const result = await runCompose(BESIDE_NETBOX, exampleEnv, ['config']);

    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`- ${join(REPO_ROOT, 'deploy/nginx/ha-gateway.conf')}:/etc/nginx/conf.d/default.conf:ro`);
  });
});

describe('proxy upstreams', () => {
  test('name compose services and ports', async () => {
    const proxyConfig = await readFile(join(REPO_ROOT, 'deploy/nginx/ha-gateway.conf'), 'utf8');
    const dockerfile = await readFile(join(REPO_ROOT, 'Dockerfile'), 'utf8');
    const result = await runCompose(DEMO, exampleEnv, ['config', '--services']);
    const services = result.stdout.trim().split('\n');

    expect(/^\s*set \$ha_gateway (\S+);/m.exec(proxyConfig)?.[1]).toBe('gateway:8090');
    expect(/^\s*set \$netbox (\S+);/m.exec(proxyConfig)?.[1]).toBe('netbox:8080');
    expect(services).toContain('gateway');
    expect(services).toContain('netbox');
    expect(dockerfile).toMatch(/^\s+PORT=8090$/m);
    expect(dockerfile).toMatch(/^EXPOSE 8090$/m);
  });
});

describe('docker-compose.demo.yml', () => {
  test('creates its own network', async () => {
    const result = await runCompose(DEMO, exampleEnv, ['config']);

    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^networks:\n  netbox:\n    external: false\n    name: proxbox-ha-demo\n/m);
  });

  test('stops without the NetBox secret key', async () => {
    const result = await runCompose(DEMO, withoutVariable(exampleEnv, 'NETBOX_SECRET_KEY'), ['config', '-q']);

    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('set NETBOX_SECRET_KEY in .env (see .env.example)');
  });
});
