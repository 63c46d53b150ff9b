import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { closeServer, listen } from './listen.js';
import {
  NETBOX_DETAILS,
  SESSION_OWNERS,
  TOKEN_OWNERS,
  USERS,
  type EndpointModel,
  type NetBoxUser,
  type TokenFixture,
  type UserName,
} from './netbox-fixtures.js';
import { recordRequest, type RecordedRequest } from './recorded-request.js';

/** A switchable misbehaviour of the simulated NetBox. */
export type NetBoxFault =
  /** Responds after a delay; with `models`, only listings of those endpoint models are delayed. */
  | { kind: 'slow'; delayMs: number; models?: EndpointModel[] }
  /** Never responds; with `models`, only listings of those endpoint models hang. */
  | { kind: 'hang'; models?: EndpointModel[] }
  /** Holds every response back until the fault is cleared or replaced, then responds normally. */
  | { kind: 'held' }
  | { kind: 'status'; status: number }
  /** NetBox without the netbox-proxbox plugin: 404 on the plugin's API. */
  | { kind: 'plugin_missing' }
  /** An HTML error page, as a proxy in front of NetBox sends one. */
  | { kind: 'html'; status: number };

/** A FastAPIEndpoint as the plugin's API lists it. */
export interface FastApiEndpointRecord {
  id: number;
  name: string;
  ip_address: { address: string } | null;
  domain: string | null;
  port: number;
  use_https: boolean;
  verify_ssl: boolean;
  enabled?: boolean;
}

export interface NetBoxSimulatorOptions {
  port?: number;
  fastapiEndpoints?: FastApiEndpointRecord[];
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** NetBox's DEFAULT_LANGUAGE, used for requests without an Accept-Language header; `en` when unset. */
  defaultLanguage?: 'en' | 'de';
  /**
   * Also accepts every v1 token that starts with `prefix` as a valid token of
   * `user`, so a benchmark can send a new credential with each request.
   */
  prefixedTokens?: { prefix: string; user: UserName };
}

export interface NetBoxSimulator {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** How many requests reached the plugin's endpoint collections. */
  endpointListings(): number;
  /** How many endpoint listings the client closed before the simulator responded. */
  abortedListings(): number;
  setFault(fault: NetBoxFault | null): void;
  setFastApiEndpoints(endpoints: FastApiEndpointRecord[]): void;
  close(): Promise<void>;
}

const ENDPOINT_LIST = /^\/api\/plugins\/proxbox\/endpoints\/(proxmox|netbox|fastapi)\/$/;

type Authentication = { user: NetBoxUser } | { refusal: string } | { anonymous: true };

type TokenLookup = (token: string) => TokenFixture | undefined;

function authenticate(request: IncomingMessage, findOwner: TokenLookup): Authentication {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    // Django REST framework's TokenAuthentication, which NetBox extends, compares the scheme case-insensitively.
    const match = /^(Token|Bearer) (\S+)$/i.exec(authorization);
    const bearer = match?.[1].toLowerCase() === 'bearer';
    const owner = match ? findOwner(match[2]) : undefined;
    if (owner === undefined || bearer !== match?.[2].startsWith('nbt_')) {
      return { refusal: NETBOX_DETAILS.invalidToken };
    }
    if (owner.expired) return { refusal: NETBOX_DETAILS.expiredToken };
    const user = USERS[owner.user];
    return user.active ? { user } : { refusal: NETBOX_DETAILS.inactiveUser };
  }

  const session = /(?:^|;)\s*sessionid=([^;]*)/.exec(request.headers.cookie ?? '')?.[1];
  const owner = session ? SESSION_OWNERS[session] : undefined;
  return owner ? { user: USERS[owner] } : { anonymous: true };
}

function pathOf(request: IncomingMessage): string {
  return (request.url ?? '/').split('?', 1)[0];
}

/** Tells whether a fault limited to some endpoint models applies to this request. */
function faultApplies(fault: NetBoxFault, model: EndpointModel | undefined): boolean {
  if ((fault.kind === 'slow' || fault.kind === 'hang') && fault.models !== undefined) {
    return model !== undefined && fault.models.includes(model);
  }
  return true;
}

// German stand-ins for Django REST framework's translated messages, sent when German is the request's language.
const GERMAN_DETAILS: Record<string, string> = {
  [NETBOX_DETAILS.notAuthenticated]: 'Anmeldedaten fehlen.',
  [NETBOX_DETAILS.permissionDenied]: 'Sie sind nicht berechtigt diese Aktion durchzuführen.',
};

/**
 * Picks the language as Django's LocaleMiddleware does, reduced to two
 * languages: the first Accept-Language tag, else the default language.
 */
function requestLanguage(request: IncomingMessage, defaultLanguage: 'en' | 'de'): 'en' | 'de' {
  const first = request.headers['accept-language']?.split(',', 1)[0].trim().toLowerCase();
  if (first === undefined || first === '') return defaultLanguage;
  return first.startsWith('de') ? 'de' : 'en';
}

function mayView(user: NetBoxUser, model: EndpointModel): boolean {
  return user.superuser || user.viewRights.includes(model);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

/**
 * Starts a simulated NetBox on 127.0.0.1 that judges credentials as NetBox
 * does for the plugin's endpoint collections: 403 with NetBox's detail for a
 * bad credential, 403 for a missing view right, 200 with a listing otherwise.
 * Other /api/ paths return 200 with the path, so routing tests can see them.
 */
export async function startNetBoxSimulator(options: NetBoxSimulatorOptions = {}): Promise<NetBoxSimulator> {
  const requests: RecordedRequest[] = [];
  let fault: NetBoxFault | null = null;
  let heldAnswers: Array<() => void> = [];
  let abortedListings = 0;
  let fastapiEndpoints: FastApiEndpointRecord[] = options.fastapiEndpoints ?? [];
  const prefixed = options.prefixedTokens;
  const findOwner: TokenLookup = (token) => {
    const fixture = TOKEN_OWNERS[token];
    if (fixture !== undefined || prefixed === undefined) return fixture;
    const isPrefixedV1 = token.startsWith(prefixed.prefix) && !token.startsWith('nbt_');
    return isPrefixedV1 ? { user: prefixed.user, expired: false } : undefined;
  };

  const answerListing = (model: EndpointModel, request: IncomingMessage, response: ServerResponse): void => {
    const german = requestLanguage(request, options.defaultLanguage ?? 'en') === 'de';
    const translate = (detail: string) => (german ? (GERMAN_DETAILS[detail] ?? detail) : detail);

    const authentication = authenticate(request, findOwner);
    if ('refusal' in authentication) return sendJson(response, 403, { detail: authentication.refusal });
    if ('anonymous' in authentication) return sendJson(response, 403, { detail: translate(NETBOX_DETAILS.notAuthenticated) });
    if (!mayView(authentication.user, model)) return sendJson(response, 403, { detail: translate(NETBOX_DETAILS.permissionDenied) });

    const limit = Number(new URL(request.url ?? '/', 'http://netbox').searchParams.get('limit') ?? '50') || 50;
    const all = model === 'fastapi' ? fastapiEndpoints : [];
    sendJson(response, 200, { count: all.length, next: null, previous: null, results: all.slice(0, limit) });
  };

  const answer = (request: IncomingMessage, response: ServerResponse): void => {
    const path = pathOf(request);
    const listing = ENDPOINT_LIST.exec(path);

    if (listing !== null) {
      if (fault?.kind === 'plugin_missing') return sendJson(response, 404, { detail: NETBOX_DETAILS.notFound });
      return answerListing(listing[1] as EndpointModel, request, response);
    }
    if (path === '/api/status/') {
      return sendJson(response, 200, { 'netbox-version': '4.5.0', plugins: { netbox_proxbox: '0.0.11' } });
    }
    sendJson(response, 200, { simulator: 'netbox', method: request.method, path });
  };

  const handle: RequestListener = (request, response) => {
    requests.push(recordRequest(request));
    const listing = ENDPOINT_LIST.exec(pathOf(request));
    if (listing !== null) {
      response.once('close', () => {
        if (!response.writableFinished) abortedListings += 1;
      });
    }

    const active = fault;
    if (active === null || active.kind === 'plugin_missing' || !faultApplies(active, listing?.[1] as EndpointModel | undefined)) {
      return answer(request, response);
    }

    switch (active.kind) {
      case 'slow':
        setTimeout(() => answer(request, response), active.delayMs);
        return;
      case 'hang':
        return;
      case 'held':
        heldAnswers.push(() => answer(request, response));
        return;
      case 'status':
        sendJson(response, active.status, { detail: `Simulated HTTP ${active.status}` });
        return;
      case 'html': {
        const html = `<html><body><h1>${active.status} Error</h1></body></html>`;
        response.writeHead(active.status, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(html) });
        response.end(html);
        return;
      }
    }
  };

  const server: Server = options.tls
    ? (createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handle) as unknown as Server)
    : createServer(handle);
  const port = await listen(server, options.port ?? 0);
  const scheme = options.tls ? 'https' : 'http';

  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    requests,
    endpointListings: () => requests.filter((recorded) => ENDPOINT_LIST.test(recorded.url.split('?', 1)[0])).length,
    abortedListings: () => abortedListings,
    setFault(next) {
      fault = next;
      const released = heldAnswers;
      heldAnswers = [];
      for (const release of released) release();
    },
    setFastApiEndpoints(endpoints) {
      fastapiEndpoints = endpoints;
    },
    close: () => closeServer(server),
  };
}
