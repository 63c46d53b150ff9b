/** Starts and stops the processes one benchmark run measures. */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GATEWAY_NODE_FLAGS } from '../src/node-flags.js';
import type { NeighbourCommand, NeighbourCounts, NeighbourReply, SummarySize } from './neighbours.js';

const STARTUP_TIMEOUT_MS = 30_000;
const DIST = new URL('../../', import.meta.url);

export interface Service {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Reads the resident set size of a process from /proc/PID/status (Linux only). */
export function readRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kilobytes = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kilobytes === undefined) throw new Error(`No VmRSS line in /proc/${pid}/status.`);
  return Number(kilobytes) * 1024;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Waits until `logFile` contains a JSON line that `pick` accepts, or the child exits, or time runs out. */
async function waitForLine<T>(child: ChildProcess, logFile: string, name: string, pick: (line: Record<string, unknown>) => T | undefined): Promise<T> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    // The last line may still be half written, so only complete lines are parsed.
    const lines = readFileSync(logFile, 'utf8').split('\n').slice(0, -1);
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      const picked = pick(JSON.parse(line) as Record<string, unknown>);
      if (picked !== undefined) return picked;
    }
    await sleep(50);
  }
  await stopChild(child);
  throw new Error(`${name} did not start; its output is in ${logFile}:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
}

/** Spawns `node script` with its output in `logFile` (a pipe the benchmark would have to drain would cost it CPU). */
function spawnNode(script: string, args: string[], env: Record<string, string>, logFile: string): ChildProcess {
  const output = openSync(logFile, 'w');
  const child = spawn(process.execPath, [...args, script], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', output, output] });
  closeSync(output);
  return child;
}

// Omit that keeps a union's members apart.
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

export interface Neighbours {
  backendUrl: string;
  netboxUrl: string;
  setSummary(size: SummarySize): Promise<void>;
  counts(): Promise<NeighbourCounts>;
  setNetBoxDelay(delayMs: number): Promise<void>;
  stop(): Promise<void>;
}

/** Forks the simulated proxbox-api and NetBox (bench/neighbours.ts). */
export async function startNeighbours(): Promise<Neighbours> {
  const child = fork(new URL('tools/bench/neighbours.js', DIST), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<number, (reply: NeighbourReply) => void>();
  let nextId = 1;
  child.on('message', (reply: NeighbourReply) => {
    waiting.get(reply.id)?.(reply);
    waiting.delete(reply.id);
  });
  const ready = await new Promise<NeighbourReply['ready']>((resolve, reject) => {
    waiting.set(0, (reply) => resolve(reply.ready));
    child.once('exit', (code) => reject(new Error(`The simulators exited with code ${code} before they were ready.`)));
  });
  if (ready === undefined) throw new Error('The simulators sent no addresses.');

  const ask = (command: WithoutId<NeighbourCommand>): Promise<NeighbourReply> =>
    new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      child.send({ ...command, id });
    });

  return {
    backendUrl: ready.backendUrl,
    netboxUrl: ready.netboxUrl,
    setSummary: async (size) => void (await ask({ command: 'summary', size })),
    counts: async () => (await ask({ command: 'counts' })).counts as NeighbourCounts,
    setNetBoxDelay: async (delayMs) => void (await ask({ command: 'netbox_delay', delayMs })),
    stop: () => stopChild(child),
  };
}

export interface GatewayOptions {
  backendUrl: string;
  apiKey: string;
  netboxUrl: string;
  logFile: string;
  /** Extra node flags, such as --cpu-prof. */
  nodeArgs?: string[];
}

/** Starts the built gateway (dist/main.js) as a child with its Node.js flags, login required and info logs, as in production. */
export async function startGatewayProcess(options: GatewayOptions): Promise<Service> {
  const child = spawnNode(new URL('main.js', DIST).pathname, [...GATEWAY_NODE_FLAGS, ...(options.nodeArgs ?? [])], {
    HOST: '127.0.0.1',
    PORT: '0',
    PROXBOX_API_URL: options.backendUrl,
    PROXBOX_API_KEY: options.apiKey,
    NETBOX_URL: options.netboxUrl,
    LOGIN_REQUIRED: 'true',
    // Long enough that the warm credential's decision does not expire during a run.
    AUTH_CACHE_TTL_S: '3600',
  }, options.logFile);
  const url = await waitForLine(child, options.logFile, 'The gateway', (line) =>
    line.msg === 'proxbox-ha-gateway listening' && typeof line.url === 'string' ? line.url : undefined,
  );
  return { url, pid: child.pid as number, stop: () => stopChild(child) };
}

/** Starts the bare undici proxy of bench/bare-proxy.ts. */
export async function startBareProxy(backendUrl: string, apiKey: string, logFile: string): Promise<Service> {
  const child = spawnNode(new URL('tools/bench/bare-proxy.js', DIST).pathname, [], { BACKEND_URL: backendUrl, BACKEND_API_KEY: apiKey }, logFile);
  const url = await waitForLine(child, logFile, 'The bare proxy', (line) => (typeof line.url === 'string' ? line.url : undefined));
  return { url, pid: child.pid as number, stop: () => stopChild(child) };
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** Returns the nginx binary when one is installed, else null. */
export function findNginx(): string | null {
  for (const candidate of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx']) {
    if (spawnSync(candidate, ['-v']).status === 0) return candidate;
  }
  return null;
}

/**
 * Starts nginx with one worker, proxying the summary route to the backend
 * over keep-alive connections, without buffering bodies to disk.
 */
export async function startNginx(binary: string, backendUrl: string, apiKey: string): Promise<Service> {
  const prefix = mkdtempSync(join(tmpdir(), 'bench-nginx-'));
  const port = await findFreePort();
  const backend = new URL(backendUrl);
  const config = `
worker_processes 1;
daemon off;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  keepalive_requests 1000000;
  upstream proxbox_api {
    server ${backend.host};
    keepalive 256;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${port};
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header X-Proxbox-API-Key "${apiKey}";
    proxy_max_temp_file_size 0;
    location = /api/plugins/proxbox/ha/summary/ { proxy_pass http://proxbox_api/proxmox/cluster/ha/summary; }
    location = /api/plugins/proxbox/ha/summary { proxy_pass http://proxbox_api/proxmox/cluster/ha/summary; }
  }
}
`;
  writeFileSync(join(prefix, 'nginx.conf'), config);
  const logFile = join(prefix, 'output.log');
  const output = openSync(logFile, 'w');
  const child = spawn(binary, ['-p', prefix, '-c', join(prefix, 'nginx.conf')], { stdio: ['ignore', output, output] });
  closeSync(output);

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`nginx did not start: ${readFileSync(logFile, 'utf8').slice(-2000)} (see ${prefix}/error.log)`);
    }
    try {
      await fetch(`${url}/`);
      break;
    } catch {
      await sleep(50);
    }
  }
  return {
    url,
    pid: child.pid as number,
    stop: async () => {
      await stopChild(child);
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
