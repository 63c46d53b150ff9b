import { HttpService } from '@nestjs/axios';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { firstValueFrom, timeout } from 'rxjs';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config.js';
import { BackendLocator } from './backend-locator.js';
import { HttpTarget } from './backend-target.js';
import { GatewayFailure, boundedText } from './gateway-failures.js';
import { classifyTransportError, extractDetail } from './upstream-errors.js';

const FASTAPI_ENDPOINTS_PATH = '/api/plugins/proxbox/endpoints/fastapi/';

/** The fields of a netbox-proxbox FastAPIEndpoint that locate proxbox-api. */
interface FastApiEndpoint {
  domain?: string | null;
  ip_address?: { address?: string | null } | null;
  port?: number | null;
  use_https?: boolean | null;
  verify_ssl?: boolean | null;
  /** Absent on plugin versions without the field; those endpoints count as enabled. */
  enabled?: boolean | null;
}

/** Returns the base URL of an endpoint, or null when it names no host. */
export function endpointBaseUrl(endpoint: FastApiEndpoint): URL | null {
  const domain = endpoint.domain?.trim();
  // NetBox stores IP addresses with their prefix length, like 10.0.0.5/24.
  const ip = endpoint.ip_address?.address?.split('/', 1)[0]?.trim();
  const host = domain || ip;
  if (!host) return null;

  const scheme = endpoint.use_https ? 'https' : 'http';
  const port = endpoint.port ?? 8800;
  const hostInUrl = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  try {
    return new URL(`${scheme}://${hostInUrl}:${port}`);
  } catch {
    return null;
  }
}

/** NetBox service tokens: v2 tokens go as Bearer, v1 keys as Token. */
function serviceAuthorization(token: string): string {
  return token.startsWith('nbt_') ? `Bearer ${token}` : `Token ${token}`;
}

/**
 * The backend named by the first enabled FastAPIEndpoint in NetBox, read with
 * the service token NETBOX_TOKEN at start-up and again at every refresh
 * interval. The API key still comes from PROXBOX_API_KEY, because NetBox
 * never returns it.
 */
@Injectable()
export class NetBoxBackendLocator extends BackendLocator implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('NetBoxBackendLocator');
  private readonly netbox: HttpTarget;
  private target: HttpTarget | null = null;
  private problem = 'NetBox has not been asked yet';
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly http: HttpService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    super();
    // Configuration validation guarantees NETBOX_URL and NETBOX_TOKEN for this source.
    this.netbox = new HttpTarget(config.netbox.url as URL, config.netbox.tls);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.config.backend.refreshIntervalMs);
    this.timer.unref();
  }

  locate(): HttpTarget {
    if (this.target === null) throw new GatewayFailure('backend_not_discovered', { reason: this.problem });
    return this.target;
  }

  unreadyReason(): string | null {
    return this.target === null ? `no proxbox-api backend found in NetBox (${this.problem}).` : null;
  }

  onApplicationShutdown(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.target?.close();
    this.netbox.close();
  }

  /** Reads the endpoints again; on failure the last known backend stays in use. */
  async refresh(): Promise<void> {
    let endpoints: FastApiEndpoint[];
    try {
      endpoints = await this.fetchEndpoints();
    } catch (error) {
      this.problem = error instanceof Error ? error.message : String(error);
      this.logger.warn({ msg: 'could not read FastAPIEndpoint from NetBox', problem: this.problem, keptBackend: this.target?.origin ?? null });
      return;
    }

    const chosen = endpoints.find((endpoint) => endpoint.enabled !== false && endpointBaseUrl(endpoint) !== null);
    if (chosen === undefined) {
      this.problem = endpoints.length === 0 ? 'none exists' : 'none is enabled with a domain or IP address';
      this.replaceTarget(null);
      return;
    }
    this.replaceTarget(new HttpTarget(endpointBaseUrl(chosen) as URL, { verify: chosen.verify_ssl !== false, extraCa: this.config.backend.tls.extraCa }));
  }

  private replaceTarget(next: HttpTarget | null): void {
    const previous = this.target;
    const unchanged =
      previous !== null && next !== null && previous.baseUrl.href === next.baseUrl.href && previous.tls.verify === next.tls.verify;
    if (unchanged) {
      next.close();
      return;
    }

    this.target = next;
    this.logger.log({ msg: 'proxbox-api backend from NetBox', backend: next?.origin ?? null, verifyTls: next?.tls.verify ?? null });
    if (previous !== null) {
      // Requests in flight still use the old sockets; close them once every deadline has passed.
      const longestDeadline = Math.max(this.config.backend.summaryDeadlineMs, this.config.backend.vmDeadlineMs);
      setTimeout(() => previous.close(), longestDeadline + 1000).unref();
    }
  }

  private async fetchEndpoints(): Promise<FastApiEndpoint[]> {
    const token = this.config.netbox.serviceToken as string;
    const response = await firstValueFrom(
      this.http
        .get<Buffer>(`${this.netbox.urlFor(FASTAPI_ENDPOINTS_PATH)}?limit=100`, {
          headers: { Authorization: serviceAuthorization(token), Accept: 'application/json', 'User-Agent': 'proxbox-ha-gateway' },
          responseType: 'arraybuffer',
          maxContentLength: 1024 * 1024,
          httpAgent: this.netbox.httpAgent,
          httpsAgent: this.netbox.httpsAgent,
          maxRedirects: 0,
          proxy: false,
          validateStatus: null,
        })
        .pipe(timeout(this.config.netbox.timeoutMs)),
    ).catch((error: unknown) => {
      const code = classifyTransportError(error)?.code ?? (error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'request failed');
      throw new Error(`NetBox at ${this.netbox.origin} could not be reached: ${code}`);
    });

    const body = Buffer.from(response.data ?? []);
    if (response.status !== 200) {
      const detail = extractDetail(body);
      throw new Error(`NetBox returned HTTP ${response.status} for NETBOX_TOKEN${detail ? `: ${boundedText(detail, 120)}` : ''}`);
    }
    try {
      const listing = JSON.parse(body.toString('utf8')) as { results?: FastApiEndpoint[] };
      return Array.isArray(listing.results) ? listing.results : [];
    } catch {
      throw new Error('NetBox returned a FastAPIEndpoint listing that is not JSON');
    }
  }
}
