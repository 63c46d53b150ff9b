import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { AxiosError, type AxiosResponse } from 'axios';
import { Observable, map, merge, takeWhile, throwError, timeout, toArray } from 'rxjs';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config.js';
import { HttpTarget } from '../ha/backend-target.js';
import { GatewayFailure, boundedText, redactSecrets, type FailureCode } from '../ha/gateway-failures.js';
import { classifyTransportError, extractDetail, type TransportErrorKind } from '../ha/upstream-errors.js';
import type { Credential } from './credential.js';
import type { Decision } from './decision-cache.js';

/**
 * The plugin's endpoint collections. Listing any of them needs the view
 * right on its model, which is exactly the dashboard rule.
 */
export const ENDPOINT_COLLECTIONS = [
  '/api/plugins/proxbox/endpoints/proxmox/',
  '/api/plugins/proxbox/endpoints/netbox/',
  '/api/plugins/proxbox/endpoints/fastapi/',
] as const;

// Django REST framework's message for an authenticated user without the permission. NetBox translates
// it into DEFAULT_LANGUAGE unless the request asks for a language, so every listing asks for English.
const PERMISSION_DENIED_DETAIL = 'You do not have permission to perform this action.';
const MAX_NETBOX_BODY_BYTES = 256 * 1024;

/** The failures of a listing that got no HTTP response at all. */
type TransportFailureCode = Extract<FailureCode, 'netbox_unreachable' | 'netbox_tls' | 'netbox_speaks_http'>;

/** The outcome of one listing request to NetBox. */
type ListingOutcome =
  | { kind: 'allowed' }
  | { kind: 'refused'; detail: string }
  | { kind: 'missing' }
  | { kind: 'server_error'; status: number }
  | { kind: 'invalid'; status: number }
  /** A response that could not be parsed as HTTP at all. */
  | { kind: 'unreadable'; reason: string }
  | { kind: 'unreachable'; code: string; failure: TransportFailureCode };

/**
 * Asks NetBox whether a credential may see the HA dashboard: it lists the
 * three endpoint collections with `?limit=1` at once, settles on the first
 * 200 and aborts the other requests.
 */
@Injectable()
export class NetBoxCredentialChecker implements OnApplicationShutdown {
  private readonly target: HttpTarget | null;
  private readonly timeoutMs: number;

  constructor(
    private readonly http: HttpService,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.target = config.netbox.url ? new HttpTarget(config.netbox.url, config.netbox.tls) : null;
    this.timeoutMs = config.netbox.timeoutMs;
  }

  /** Returns NetBox's decision, or throws the 503 failure when NetBox cannot give one. */
  check(credential: Credential, requestId: string): Promise<Decision> {
    const target = this.target;
    if (target === null) {
      return Promise.reject(new GatewayFailure('netbox_not_configured'));
    }

    const listings = ENDPOINT_COLLECTIONS.map((path) => this.list(target, path, credential, requestId));
    const decision$ = merge(...listings).pipe(
      // Completing on the first 'allowed' unsubscribes from, and so aborts, the other listings.
      takeWhile((outcome) => outcome.kind !== 'allowed', true),
      toArray(),
      map((outcomes) => decide(target, outcomes)),
      timeout({
        first: this.timeoutMs,
        with: () => throwError(() => new GatewayFailure('netbox_timeout', { origin: target.origin, deadlineMs: this.timeoutMs })),
      }),
    );

    return new Promise<Decision>((resolve, reject) => decision$.subscribe({ next: resolve, error: reject }));
  }

  onApplicationShutdown(): void {
    this.target?.close();
  }

  private list(target: HttpTarget, path: string, credential: Credential, requestId: string): Observable<ListingOutcome> {
    return new Observable<ListingOutcome>((subscriber) => {
      const abort = new AbortController();
      const subscription = this.http
        .get<Buffer>(`${target.urlFor(path)}?limit=1`, {
          headers: {
            ...credential.headers,
            Accept: 'application/json',
            'Accept-Language': 'en',
            'X-Request-ID': requestId,
            'User-Agent': 'proxbox-ha-gateway',
          },
          responseType: 'arraybuffer',
          maxContentLength: MAX_NETBOX_BODY_BYTES,
          signal: abort.signal,
          httpAgent: target.httpAgent,
          httpsAgent: target.httpsAgent,
          maxRedirects: 0,
          proxy: false,
          validateStatus: null,
        })
        .subscribe({
          next: (response) => subscriber.next(classifyListing(response, credential.secrets)),
          error: (error: unknown) => {
            if (exceedsBodyLimit(error)) {
              subscriber.next({ kind: 'unreadable', reason: `a body over ${MAX_NETBOX_BODY_BYTES} bytes` });
              subscriber.complete();
              return;
            }
            const classified = classifyTransportError(error);
            if (classified?.kind === 'malformed') {
              subscriber.next({ kind: 'unreadable', reason: `a response that is not valid HTTP (${classified.code})` });
              subscriber.complete();
              return;
            }
            const code = classified?.code ?? 'request failed';
            subscriber.next({ kind: 'unreachable', code, failure: transportFailure(classified?.kind) });
            subscriber.complete();
          },
          complete: () => subscriber.complete(),
        });

      return () => {
        subscription.unsubscribe();
        abort.abort();
      };
    });
  }
}

/** Tells whether axios gave up on a body longer than `maxContentLength`; its only mark is the message. */
function exceedsBodyLimit(error: unknown): boolean {
  return error instanceof AxiosError && /^maxContentLength size of \d+ exceeded/.test(error.message);
}

/** Picks the failure for a transport error, so that an https:// URL aimed at plain HTTP is not reported as a certificate problem. */
function transportFailure(kind: TransportErrorKind | undefined): TransportFailureCode {
  if (kind === 'speaks_http') return 'netbox_speaks_http';
  if (kind !== undefined && kind.startsWith('tls')) return 'netbox_tls';
  return 'netbox_unreachable';
}

function classifyListing(response: AxiosResponse<Buffer>, secrets: readonly string[]): ListingOutcome {
  const status = response.status;
  const body = Buffer.from(response.data ?? []);

  if (status === 200) return isListing(body) ? { kind: 'allowed' } : { kind: 'invalid', status };
  if (status === 401 || status === 403) {
    const detail = extractDetail(body);
    // Redacted before the decision cache stores it, so a deny entry never holds the credential.
    return detail === null ? { kind: 'invalid', status } : { kind: 'refused', detail: boundedText(redactSecrets(detail, secrets)) };
  }
  if (status === 404) return { kind: 'missing' };
  if (status >= 500) return { kind: 'server_error', status };
  return { kind: 'invalid', status };
}

/** Tells whether a body is a NetBox list response: a JSON object with `results`. Anything else is not NetBox. */
function isListing(body: Buffer): boolean {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return parsed !== null && typeof parsed === 'object' && 'results' in parsed;
  } catch {
    return false;
  }
}

/** Turns the outcomes of all three listings into a decision, or the 503 failure that prevents one. */
function decide(target: HttpTarget, outcomes: ListingOutcome[]): Decision {
  const origin = target.origin;
  if (outcomes.some((outcome) => outcome.kind === 'allowed')) return { allowed: true };

  for (const outcome of outcomes) {
    if (outcome.kind === 'unreachable') {
      throw new GatewayFailure(outcome.failure, { origin, errorCode: outcome.code });
    }
  }
  for (const outcome of outcomes) {
    if (outcome.kind === 'server_error') throw new GatewayFailure('netbox_error', { origin, status: outcome.status });
  }
  for (const outcome of outcomes) {
    if (outcome.kind === 'invalid') throw new GatewayFailure('netbox_invalid_answer', { origin, status: outcome.status });
    if (outcome.kind === 'unreadable') throw new GatewayFailure('netbox_invalid_answer', { origin, reason: outcome.reason });
  }

  const refusals = outcomes.filter((outcome) => outcome.kind === 'refused');
  if (refusals.length === 0) throw new GatewayFailure('netbox_plugin_missing', { origin });

  const rejection = refusals.find((outcome) => outcome.detail !== PERMISSION_DENIED_DETAIL);
  if (rejection !== undefined) return { allowed: false, code: 'credentials_rejected', netboxDetail: rejection.detail };
  return { allowed: false, code: 'permission_denied' };
}
