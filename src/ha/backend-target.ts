import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { rootCertificates } from 'node:tls';
import { Pool } from 'undici';
import type { TlsSettings } from '../config/gateway-config.js';

/** Sockets kept open per neighbour; enough for a busy dashboard fleet without exhausting file descriptors. */
const MAX_SOCKETS_PER_ORIGIN = 256;

/**
 * The address of a neighbour and the means to reach it: its base URL, its origin for
 * error details, and keep-alive agents built for its TLS settings.
 */
export class HttpTarget {
  readonly origin: string;
  readonly httpAgent: HttpAgent;
  readonly httpsAgent: HttpsAgent;
  private readonly urlPrefix: string;
  private pool: Pool | null = null;

  constructor(
    readonly baseUrl: URL,
    readonly tls: TlsSettings,
  ) {
    // URL.origin leaves out user information, so it is safe in error details.
    this.origin = baseUrl.origin;
    const root = new URL(baseUrl);
    root.pathname = '/';
    root.search = '';
    root.hash = '';
    // The base URL without its trailing slash: built once, because URL objects cost CPU on every request.
    this.urlPrefix = `${root.href.slice(0, -1)}${baseUrl.pathname.replace(/\/+$/, '')}`;
    this.httpAgent = new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_ORIGIN });
    this.httpsAgent = new HttpsAgent({
      keepAlive: true,
      maxSockets: MAX_SOCKETS_PER_ORIGIN,
      rejectUnauthorized: tls.verify,
      ca: tls.extraCa ? [...rootCertificates, tls.extraCa] : undefined,
    });
  }

  /**
   * The undici Pool for this neighbour, created on first use with the same
   * socket limit and TLS settings as the agents. Its own timeouts are off,
   * because the caller's deadline covers the whole exchange.
   */
  get dispatcher(): Pool {
    this.pool ??= new Pool(this.origin, {
      connections: MAX_SOCKETS_PER_ORIGIN,
      headersTimeout: 0,
      bodyTimeout: 0,
      connect: { rejectUnauthorized: this.tls.verify, ca: this.tls.extraCa ? [...rootCertificates, this.tls.extraCa] : undefined },
    });
    return this.pool;
  }

  /**
   * Joins a path that starts with a slash onto the base URL's own path, so
   * `/proxbox/` stays one prefix. The path must be percent-encoded already:
   * the gateway's paths are fixed ASCII and a VMID's digits.
   */
  urlFor(path: string): string {
    return `${this.urlPrefix}${path}`;
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    void this.pool?.destroy();
  }
}
