import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { HttpService } from '@nestjs/axios';
import { Inject, Injectable } from '@nestjs/common';
import type { AxiosResponse } from 'axios';
import { Observable, throwError, timeout } from 'rxjs';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config.js';
import { ClientGoneError, type BackendExchange } from './backend-exchange.js';
import { BackendLocator } from './backend-locator.js';
import { BACKEND_HTTP } from './backend-http.js';
import type { HttpTarget } from './backend-target.js';
import { BodyTooLargeError, readBody } from './body-reader.js';
import { GatewayFailure, boundedText, redactSecrets, type FailureContext } from './gateway-failures.js';
import { isJsonDocument, isJsonNull } from './json-document.js';
import { classifyTransportError, extractDetail } from './upstream-errors.js';

export const SUMMARY_PATH = '/proxmox/cluster/ha/summary';
export const vmResourcePath = (vmid: number) => `/proxmox/cluster/ha/resources/by-vm/${vmid}`;

/** Error bodies are read only this far, for their detail. */
const MAX_ERROR_BODY_BYTES = 16 * 1024;
const EMPTY_OBJECT = Buffer.from('{}');
const USER_AGENT = 'proxbox-ha-gateway';

/**
 * The cancel signal of one backend request. undici takes an EventEmitter
 * with an `aborted` flag as a signal. On Node.js 20, creating one and adding
 * and removing its listener took about 0.15 µs against 4 µs for an
 * AbortController (timed over 300,000 of each), and every request pays it
 * although few are ever cancelled.
 */
class BackendCancel extends EventEmitter {
  aborted = false;

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.emit('abort');
  }
}

interface Deadline {
  ms: number;
  variable: string;
}

/**
 * The client for proxbox-api's HA routes. It sends one request per call, no
 * retry, under a deadline that covers connect, headers and body, and returns
 * the body's bytes exactly as the backend sent them.
 */
@Injectable()
export class ProxboxBackendService {
  private readonly summaryDeadline: Deadline;
  private readonly vmDeadline: Deadline;
  private readonly apiKey: string | null;
  private readonly maxBodyBytes: number;

  constructor(
    @Inject(BACKEND_HTTP) private readonly http: HttpService,
    private readonly locator: BackendLocator,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.summaryDeadline = { ms: config.backend.summaryDeadlineMs, variable: 'HA_SUMMARY_TIMEOUT_MS' };
    this.vmDeadline = { ms: config.backend.vmDeadlineMs, variable: 'HA_VM_TIMEOUT_MS' };
    this.apiKey = config.backend.apiKey;
    this.maxBodyBytes = config.backend.maxBodyBytes;
  }

  fetchSummary(exchange: BackendExchange): Promise<Buffer> {
    return this.fetchJson(SUMMARY_PATH, this.summaryDeadline, exchange);
  }

  /** Fetches one guest's HA resource; a backend `null` (guest not HA-managed) becomes `{}`. */
  async fetchVmResource(vmid: number, exchange: BackendExchange): Promise<Buffer> {
    const body = await this.fetchJson(vmResourcePath(vmid), this.vmDeadline, exchange);
    return isJsonNull(body) ? EMPTY_OBJECT : body;
  }

  private async fetchJson(path: string, deadline: Deadline, exchange: BackendExchange): Promise<Buffer> {
    const target = this.locator.locate();
    if (exchange.clientGone) throw new ClientGoneError();

    const started = performance.now();
    const body$ = this.exchange(target, path, exchange.requestId).pipe(
      timeout({
        first: deadline.ms,
        with: () =>
          throwError(
            () => new GatewayFailure('backend_timeout', { origin: target.origin, deadlineMs: deadline.ms, deadlineVariable: deadline.variable }),
          ),
      }),
    );

    try {
      return await new Promise<Buffer>((resolve, reject) => {
        const subscription = body$.subscribe({ next: resolve, error: reject });
        // Unsubscribing runs the exchange's teardown, which aborts the request or destroys the body.
        const stopWatchingClient = exchange.onClientGone(() => {
          subscription.unsubscribe();
          reject(new ClientGoneError());
        });
        subscription.add(stopWatchingClient);
      });
    } finally {
      exchange.recordBackendTiming(performance.now() - started);
    }
  }

  /**
   * Runs one backend exchange: emits the checked body once, or fails with
   * the catalogued failure. Unsubscribing before the end aborts the request,
   * or destroys the body once headers are in. The steps are callbacks inside
   * one Observable rather than a chain of operators, because this runs for
   * every request and each operator costs measurable CPU.
   */
  private exchange(target: HttpTarget, path: string, requestId: string): Observable<Buffer> {
    return new Observable<Buffer>((subscriber) => {
      const cancel = new BackendCancel();
      let answered = false;
      let abandonBody: (() => void) | null = null;

      const request = this.send(target, path, requestId, cancel).subscribe({
        next: (response) => {
          answered = true;
          abandonBody = this.readAnswer(target, response, (error, body) => {
            if (error !== null) {
              subscriber.error(this.toFailure(error, target));
              return;
            }
            subscriber.next(body as Buffer);
            subscriber.complete();
          });
        },
        error: (error: unknown) => subscriber.error(this.toFailure(error, target)),
      });

      return () => {
        request.unsubscribe();
        // After a complete read, abandoning the body does nothing.
        if (answered) abandonBody?.();
        else cancel.abort();
      };
    });
  }

  /** Sends the request; the observable emits the response once its headers arrive. */
  private send(target: HttpTarget, path: string, requestId: string, signal: BackendCancel): Observable<AxiosResponse<Readable>> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'Accept-Encoding': 'identity',
      'User-Agent': USER_AGENT,
      'X-Request-ID': requestId,
    };
    if (this.apiKey !== null) headers['X-Proxbox-API-Key'] = this.apiKey;

    // request() rather than get(): axios' get() alias merges the configuration once more before request() does.
    return this.http.request<Readable>({
      method: 'GET',
      url: target.urlFor(path),
      headers,
      responseType: 'stream',
      signal,
      dispatcher: target.dispatcher,
      // A redirect is reported, never followed, so the API key cannot travel to another host.
      maxRedirects: 0,
      // Proxy variables in the environment must not divert the API key either.
      proxy: false,
      validateStatus: null,
    });
  }

  /**
   * Reads the response: a 2xx body is read whole and checked as JSON, and
   * any other status becomes its failure. Returns a function that abandons the read.
   */
  private readAnswer(target: HttpTarget, response: AxiosResponse<Readable>, done: (error: unknown, body?: Buffer) => void): () => void {
    const status = response.status;
    if (status >= 200 && status < 300) {
      return readBody(response.data, this.maxBodyBytes, (error, body) => {
        if (error !== null) {
          done(isDecodingError(error) ? undecodableBody(status) : error);
          return;
        }
        try {
          done(null, this.checkJson(body as Buffer, status));
        } catch (failure) {
          done(failure);
        }
      });
    }
    if (status >= 300 && status < 400) {
      response.data.destroy();
      done(redirectFailure(target, response));
      return () => undefined;
    }
    return readBody(response.data, MAX_ERROR_BODY_BYTES, (error, body) => {
      done(statusFailure(target, response, error === null ? (body as Buffer) : Buffer.alloc(0), this.apiKey));
    });
  }

  private checkJson(body: Buffer, status: number): Buffer {
    if (body.length === 0) {
      throw new GatewayFailure('backend_invalid_body', { status, reason: 'the body is empty' });
    }
    if (!isJsonDocument(body)) {
      throw new GatewayFailure('backend_invalid_body', { status });
    }
    return body;
  }

  private toFailure(error: unknown, target: HttpTarget): unknown {
    if (error instanceof GatewayFailure || error instanceof ClientGoneError) return error;
    if (error instanceof BodyTooLargeError) {
      return new GatewayFailure('backend_body_too_large', { maxBodyBytes: error.maxBytes });
    }

    const classified = classifyTransportError(error);
    if (classified === null) return error;

    const context: FailureContext = { origin: target.origin, errorCode: classified.code, hostname: target.baseUrl.hostname };
    switch (classified.kind) {
      case 'refused':
        return new GatewayFailure('backend_refused', context);
      case 'dns':
        return new GatewayFailure('backend_dns', context);
      case 'reset':
        return new GatewayFailure('backend_reset', context);
      case 'tls_untrusted':
        return new GatewayFailure('backend_tls_untrusted', context);
      case 'tls_name_mismatch':
        return new GatewayFailure('backend_tls_name_mismatch', context);
      case 'speaks_http':
        return new GatewayFailure('backend_speaks_http', context);
      case 'malformed':
        return new GatewayFailure('backend_malformed_response', context);
      case 'tls':
        return new GatewayFailure('backend_tls', context);
      case 'unreachable':
        return new GatewayFailure('backend_unreachable', context);
    }
  }
}

/**
 * Tells whether a body stream failed in zlib (Z_*) or brotli (ERR__ERROR_*).
 * axios decodes a Content-Encoding the backend sends even though the gateway
 * requests identity, so a corrupt encoding surfaces as one of these.
 */
function isDecodingError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && (code.startsWith('Z_') || code.startsWith('ERR__ERROR_'));
}

function undecodableBody(status: number): GatewayFailure {
  return new GatewayFailure('backend_invalid_body', { status, reason: 'its Content-Encoding does not decode' });
}

function redirectFailure(target: HttpTarget, response: AxiosResponse): GatewayFailure {
  const location = response.headers['location'];
  let shown: string | undefined;
  if (typeof location === 'string' && location !== '') {
    try {
      const url = new URL(location, target.baseUrl);
      shown = boundedText(`${url.origin}${url.pathname}`, 200);
    } catch {
      shown = undefined;
    }
  }
  return new GatewayFailure('backend_redirect', { status: response.status, location: shown });
}

// nginx's response body when plain HTTP reaches a port it serves with TLS.
const PLAIN_HTTP_TO_HTTPS_PORT = /plain HTTP request was sent to HTTPS port/i;

function statusFailure(target: HttpTarget, response: AxiosResponse, body: Buffer, apiKey: string | null): GatewayFailure {
  const status = response.status;
  const detail = extractDetail(body);
  const upstreamDetail = detail === null ? undefined : boundedText(redactSecrets(detail, apiKey === null ? [] : [apiKey]));

  if (status === 404) {
    return new GatewayFailure('backend_ha_unsupported');
  }
  if (status === 401) {
    return new GatewayFailure(apiKey === null ? 'backend_key_missing' : 'backend_key_rejected', { upstreamDetail });
  }
  if (status === 429) {
    const retryAfter = response.headers['retry-after'];
    const headers: Record<string, string> = {};
    if (typeof retryAfter === 'string' && /^[\w ,:+-]{1,64}$/.test(retryAfter)) headers['Retry-After'] = retryAfter;
    return new GatewayFailure('backend_key_locked', { upstreamDetail }, headers);
  }
  if (status === 400 && target.baseUrl.protocol === 'http:' && PLAIN_HTTP_TO_HTTPS_PORT.test(body.toString('latin1'))) {
    return new GatewayFailure('backend_expects_https', { origin: target.origin });
  }
  return new GatewayFailure('backend_http_error', { status, upstreamDetail });
}
