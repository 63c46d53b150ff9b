import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { closeServer, listen } from './listen.js';
import { recordRequest, type RecordedRequest } from './recorded-request.js';
import { sampleSummary, sampleVmResource } from './sample-ha-data.js';

/**
 * A switchable misbehaviour of the simulated proxbox-api, applied to its HA
 * routes while set.
 */
export type ProxboxApiFault =
  /** A proxbox-api older than v0.0.11: 404 on the HA paths. */
  | { kind: 'ha_missing' }
  /** Any status with a JSON or raw body, such as 500, or 401 and 429 regardless of the key. */
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  /** Responds normally after a delay. */
  | { kind: 'slow'; delayMs: number }
  /** Accepts the request and never responds. */
  | { kind: 'hang' }
  /** Responds normally once `release` resolves, so a test decides when a request stops being in flight. */
  | { kind: 'held'; release: Promise<void> }
  /** Sends the headers and half of the body, then resets the connection. */
  | { kind: 'reset_mid_body' }
  /** Answers 200 (or `status`) with this exact body, for non-JSON, empty, huge or byte-exact cases. */
  | { kind: 'body'; body: string | Buffer; contentType?: string; status?: number }
  /** Redirects to `location`. */
  | { kind: 'redirect'; location: string; status?: number };

export interface ProxboxApiSimulatorOptions {
  /** The key clients must send as X-Proxbox-API-Key; null accepts any request. */
  apiKey?: string | null;
  port?: number;
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** A path prefix the simulator lives under, like a reverse proxy would add. */
  pathPrefix?: string;
  /** Failed key attempts before the key is locked out with 429, like proxbox-api does. */
  lockoutAfter?: number;
  /** How long a lock-out lasts; the 429 answer's Retry-After counts down to its end. */
  lockoutMs?: number;
}

export interface ProxboxApiSimulator {
  url: string;
  port: number;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Requests whose connection closed before their answer was complete (client abort, or a reset fault), in order. */
  abandonedRequests: RecordedRequest[];
  setFault(fault: ProxboxApiFault | null): void;
  /** Applies a fault to the by-vm route of one VMID only, ahead of the route-wide fault. */
  setVmFault(vmid: number, fault: ProxboxApiFault | null): void;
  /** Replaces the summary body (exact bytes). */
  setSummary(body: string | Buffer): void;
  /** Replaces the by-vm body for one VMID (exact bytes). */
  setVmResource(vmid: number, body: string | Buffer): void;
  close(): Promise<void>;
}

const SUMMARY_PATH = '/proxmox/cluster/ha/summary';
const BY_VM_PATH = /^\/proxmox\/cluster\/ha\/resources\/by-vm\/(\d+)$/;

function sendJson(response: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers });
  response.end(body);
}

/** Starts a simulated proxbox-api on 127.0.0.1 serving the sample HA data. */
export async function startProxboxApiSimulator(options: ProxboxApiSimulatorOptions = {}): Promise<ProxboxApiSimulator> {
  const apiKey = options.apiKey === undefined ? null : options.apiKey;
  const prefix = (options.pathPrefix ?? '').replace(/\/+$/, '');
  const lockoutAfter = options.lockoutAfter ?? 5;
  const requests: RecordedRequest[] = [];
  const abandonedRequests: RecordedRequest[] = [];
  let fault: ProxboxApiFault | null = null;
  let summary: string | Buffer = sampleSummary();
  const vmResources = new Map<number, string | Buffer>();
  const vmFaults = new Map<number, ProxboxApiFault>();
  let failedKeyAttempts = 0;
  let lockedUntil = 0;
  const lockoutMs = options.lockoutMs ?? 300_000;

  const answerHaRoute = (path: string, response: ServerResponse): void => {
    if (path === SUMMARY_PATH) {
      sendJson(response, 200, summary);
      return;
    }
    const match = BY_VM_PATH.exec(path);
    if (match !== null) {
      const vmid = Number(match[1]);
      sendJson(response, 200, vmResources.get(vmid) ?? sampleVmResource(vmid));
      return;
    }
    sendJson(response, 404, '{"detail":"Not Found"}');
  };

  const applyFault = (active: ProxboxApiFault, path: string, response: ServerResponse): void => {
    switch (active.kind) {
      case 'ha_missing':
        sendJson(response, 404, '{"detail":"Not Found"}');
        return;
      case 'status':
        sendJson(response, active.status, active.body ?? JSON.stringify({ detail: `Simulated HTTP ${active.status}` }), active.headers);
        return;
      case 'slow':
        setTimeout(() => answerHaRoute(path, response), active.delayMs);
        return;
      case 'hang':
        return;
      case 'held':
        void active.release.then(() => answerHaRoute(path, response));
        return;
      case 'reset_mid_body': {
        const body = Buffer.from(path === SUMMARY_PATH ? summary : sampleVmResource(101));
        response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
        response.write(body.subarray(0, Math.floor(body.length / 2)), () => response.socket?.resetAndDestroy());
        return;
      }
      case 'body':
        response.writeHead(active.status ?? 200, { 'Content-Type': active.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(active.body) });
        response.end(active.body);
        return;
      case 'redirect':
        response.writeHead(active.status ?? 302, { Location: active.location, 'Content-Length': 0 });
        response.end();
        return;
    }
  };

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const recorded = recordRequest(request);
    requests.push(recorded);
    // 'close' also follows a complete answer; only an unfinished one means the connection went away.
    response.once('close', () => {
      if (!response.writableFinished) abandonedRequests.push(recorded);
    });
    const fullPath = (request.url ?? '/').split('?', 1)[0];
    if (prefix !== '' && !fullPath.startsWith(`${prefix}/`)) {
      sendJson(response, 404, '{"detail":"Not Found"}');
      return;
    }
    const path = fullPath.slice(prefix.length);

    if (apiKey !== null) {
      if (failedKeyAttempts >= lockoutAfter && Date.now() >= lockedUntil) {
        failedKeyAttempts = 0;
      }
      if (failedKeyAttempts >= lockoutAfter) {
        const retryAfter = Math.ceil((lockedUntil - Date.now()) / 1000);
        sendJson(response, 429, '{"detail":"Too many failed authentication attempts. Try again later."}', { 'Retry-After': String(retryAfter) });
        return;
      }
      if (request.headers['x-proxbox-api-key'] !== apiKey) {
        failedKeyAttempts += 1;
        if (failedKeyAttempts >= lockoutAfter) lockedUntil = Date.now() + lockoutMs;
        sendJson(response, 401, '{"detail":"Invalid or missing API key."}');
        return;
      }
    }

    const vmMatch = BY_VM_PATH.exec(path);
    const vmFault = vmMatch === null ? undefined : vmFaults.get(Number(vmMatch[1]));
    if (vmFault !== undefined) {
      applyFault(vmFault, path, response);
      return;
    }
    if (fault !== null && path.startsWith('/proxmox/cluster/ha/')) {
      applyFault(fault, path, response);
      return;
    }
    answerHaRoute(path, response);
  };

  const server: Server = options.tls
    ? (createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handle) as unknown as Server)
    : createHttpServer(handle);
  const port = await listen(server, options.port ?? 0);
  const scheme = options.tls ? 'https' : 'http';

  return {
    url: `${scheme}://127.0.0.1:${port}${prefix}`,
    port,
    requests,
    abandonedRequests,
    setFault(next) {
      fault = next;
    },
    setVmFault(vmid, next) {
      if (next === null) vmFaults.delete(vmid);
      else vmFaults.set(vmid, next);
    },
    setSummary(body) {
      summary = body;
    },
    setVmResource(vmid, body) {
      vmResources.set(vmid, body);
    },
    close: () => closeServer(server),
  };
}
