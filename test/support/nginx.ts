import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { releasedPort } from './ports.js';

export interface NginxSite {
  /** Serve TLS on the port with these PEM files. */
  tls?: { certificateFile: string; keyFile: string };
  /** Directives of the server block after `listen`, such as `location / { proxy_pass http://127.0.0.1:8800; }`. */
  directives: string;
}

export interface RunningNginx {
  /** http:// or https:// URL of the site on 127.0.0.1. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

function siteServer(port: number, site: NginxSite): string {
  const listen = site.tls
    ? `listen 127.0.0.1:${port} ssl;\n    ssl_certificate ${site.tls.certificateFile};\n    ssl_certificate_key ${site.tls.keyFile};`
    : `listen 127.0.0.1:${port};`;
  return `server {
    ${listen}
    ${site.directives}
  }`;
}

/** Builds nginx.conf around `httpBody`, the contents of the http block. */
function nginxConfig(directory: string, httpBody: string): string {
  return `daemon off;
worker_processes 1;
pid ${directory}/nginx.pid;
error_log ${directory}/error.log warn;
events { worker_connections 64; }
http {
  access_log ${directory}/access.log;
  client_body_temp_path ${directory}/client_body;
  proxy_temp_path ${directory}/proxy;
  fastcgi_temp_path ${directory}/fastcgi;
  uwsgi_temp_path ${directory}/uwsgi;
  scgi_temp_path ${directory}/scgi;
${httpBody}
}
`;
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts a real nginx in the foreground on a free 127.0.0.1 port, with its
 * configuration, pid file, logs and temp files in a new temp directory.
 * Throws when nginx is not installed or does not start within 10 s.
 */
export function startNginx(site: NginxSite): Promise<RunningNginx> {
  return startNginxWithHttpConfig((port) => siteServer(port, site), site.tls ? 'https' : 'http');
}

/**
 * Starts nginx like startNginx, with `buildHttpBody(port)` as the contents of
 * its http block: server blocks and http-level directives, such as a
 * committed site config pointed at the free port.
 */
export async function startNginxWithHttpConfig(buildHttpBody: (port: number) => string, scheme: 'http' | 'https' = 'http'): Promise<RunningNginx> {
  const check = spawnSync('nginx', ['-v'], { stdio: 'ignore' });
  if (check.error) {
    throw new Error('nginx is not installed: run apt-get install -y --no-install-recommends nginx-light (see the README test command).');
  }

  const directory = mkdtempSync(join(tmpdir(), 'gateway-nginx-'));
  // A worker that nginx started as root runs as an unprivileged user and must still reach its temp paths.
  chmodSync(directory, 0o755);
  const port = await releasedPort();
  writeFileSync(join(directory, 'nginx.conf'), nginxConfig(directory, buildHttpBody(port)));

  const child = spawn('nginx', ['-p', directory, '-e', join(directory, 'error.log'), '-c', join(directory, 'nginx.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });

  const deadline = Date.now() + 10_000;
  while (!(await portAccepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      const errorLog = readFileSync(join(directory, 'error.log'), { encoding: 'utf8', flag: 'a+' });
      rmSync(directory, { recursive: true, force: true });
      throw new Error(`nginx did not start on port ${port}: ${stderr}${errorLog}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    async stop() {
      // SIGTERM is nginx's fast shutdown: the master stops its workers and exits.
      child.kill('SIGTERM');
      await waitForExit(child);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
