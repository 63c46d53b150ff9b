/**
 * Every way a gateway request can fail: a stable code, an HTTP status and
 * the detail an operator reads. The exception filter and the tests use this
 * table, and nothing else in the gateway invents a status or a message.
 *
 * A detail never contains a credential or the backend API key. Values that
 * come from outside (NetBox's or proxbox-api's own detail) are passed in as
 * context and cut to a bounded length.
 */

export interface FailureContext {
  /** scheme://host:port of the service involved, without user information. */
  origin?: string;
  /** The deadline that passed, in milliseconds. */
  deadlineMs?: number;
  /** The environment variable holding that deadline. */
  deadlineVariable?: string;
  /** HTTP status of the neighbour's response. */
  status?: number;
  /** The neighbour's own explanation, already cut to a bounded length. */
  upstreamDetail?: string;
  /** Location header of a redirect, without its query string. */
  location?: string;
  /** Host name that did not resolve. */
  hostname?: string;
  /** The request ID, for failures whose details are only in the log. */
  requestId?: string;
  /** The reason the gateway gave up, in a few words. */
  reason?: string;
  /** Low-level error code (ECONNRESET, ERR_TLS_CERT_ALTNAME_INVALID, ...). */
  errorCode?: string;
  maxBodyBytes?: number;
}

interface FailureKind {
  status: number;
  detail: (context: FailureContext) => string;
}

const seconds = (ms: number | undefined) => `${Number(((ms ?? 0) / 1000).toFixed(3))} s`;
const reason = (text: string | undefined) => (text ? ` (${text})` : '');
const quoteProxboxApi = (text: string | undefined) => {
  if (!text) return '';
  // The quoted detail usually ends its own sentence; a second full stop after the quote would be noise.
  return /[.!?]$/.test(text) ? ` proxbox-api says: "${text}"` : ` proxbox-api says: "${text}".`;
};

export const HA_UNSUPPORTED_DETAIL =
  'Backend does not support HA endpoints \u2014 upgrade proxbox-api to v0.0.11 or later.';

export const FAILURES = {
  invalid_vmid: {
    status: 400,
    detail: () => 'The VMID in the path must be a decimal number from 100 to 999999999, the range Proxmox VE allows.',
  },
  not_found: {
    status: 404,
    detail: () => 'No such route. The HA API serves /api/plugins/proxbox/ha/summary/ and /api/plugins/proxbox/ha/vm/{vmid}/.',
  },
  method_not_allowed: {
    status: 405,
    detail: () => 'This route is read-only: use GET or HEAD.',
  },

  credentials_missing: {
    status: 403,
    detail: () =>
      'Authentication credentials were not provided. Send "Authorization: Token <key>", "Authorization: Bearer nbt_<key>.<secret>" or a NetBox session cookie.',
  },
  credentials_malformed: {
    status: 403,
    detail: (context) =>
      `The Authorization header or session cookie is malformed${reason(context.reason)}. Send "Authorization: Token <key>" or "Authorization: Bearer nbt_<key>.<secret>" with a single space and no control characters.`,
  },
  credentials_rejected: {
    status: 403,
    detail: (context) => context.upstreamDetail || 'NetBox rejected the credential.',
  },
  permission_denied: {
    status: 403,
    detail: () =>
      'This NetBox user lacks view permission on ProxmoxEndpoint, NetBoxEndpoint and FastAPIEndpoint. Grant one of them to use the HA API.',
  },

  netbox_not_configured: {
    status: 503,
    detail: () =>
      'The request carries a NetBox credential, but NETBOX_URL is not set, so the gateway cannot check it. Set NETBOX_URL, or send the request without credentials.',
  },
  netbox_unreachable: {
    status: 503,
    detail: (context) =>
      `Could not reach NetBox at ${context.origin} to check the credential (${context.errorCode ?? 'connection failed'}). Check NETBOX_URL and that NetBox is running.`,
  },
  netbox_timeout: {
    status: 503,
    detail: (context) =>
      `NetBox at ${context.origin} did not answer the credential check within ${seconds(context.deadlineMs)} (NETBOX_TIMEOUT_MS).`,
  },
  netbox_error: {
    status: 503,
    detail: (context) =>
      `NetBox at ${context.origin} answered the credential check with HTTP ${context.status}. Check NetBox's logs.`,
  },
  netbox_invalid_answer: {
    status: 503,
    detail: (context) => {
      const answer = context.status === undefined ? context.reason : `HTTP ${context.status} and a body that is not NetBox's JSON`;
      return `NetBox at ${context.origin} answered the credential check with ${answer}. Check that NETBOX_URL points at NetBox itself.`;
    },
  },
  netbox_plugin_missing: {
    status: 503,
    detail: (context) =>
      `NetBox at ${context.origin} has no netbox-proxbox plugin API (404 on /api/plugins/proxbox/endpoints/). Install and enable the netbox-proxbox plugin, or fix NETBOX_URL.`,
  },
  netbox_speaks_http: {
    status: 503,
    detail: (context) => `NetBox at ${context.origin} answered an HTTPS request in plain HTTP. Use http:// in NETBOX_URL.`,
  },
  netbox_tls: {
    status: 503,
    detail: (context) =>
      `TLS verification of NetBox at ${context.origin} failed (${context.errorCode}). Set NETBOX_CA_FILE to its CA bundle, or NETBOX_VERIFY_TLS=false to turn verification off.`,
  },

  backend_not_configured: {
    status: 503,
    detail: () => 'No proxbox-api backend is configured. Set PROXBOX_API_URL to its base URL, for example http://proxbox-api:8800.',
  },
  backend_not_discovered: {
    status: 503,
    detail: (context) =>
      `No proxbox-api backend is configured: NetBox has no enabled FastAPIEndpoint${reason(context.reason)}. Add one in NetBox under Proxbox > Endpoints, or set PROXBOX_API_SOURCE=env and PROXBOX_API_URL.`,
  },
  backend_ha_unsupported: {
    status: 503,
    detail: () => HA_UNSUPPORTED_DETAIL,
  },

  backend_refused: {
    status: 502,
    detail: (context) =>
      `Could not connect to proxbox-api at ${context.origin}: connection refused. Check PROXBOX_API_URL and that proxbox-api is running.`,
  },
  backend_dns: {
    status: 502,
    detail: (context) =>
      `Could not resolve the proxbox-api host "${context.hostname}" (${context.errorCode}). Check the host name in PROXBOX_API_URL.`,
  },
  backend_unreachable: {
    status: 502,
    detail: (context) =>
      `Could not reach proxbox-api at ${context.origin} (${context.errorCode}). Check PROXBOX_API_URL and the network between the gateway and proxbox-api.`,
  },
  backend_reset: {
    status: 502,
    detail: (context) =>
      `proxbox-api at ${context.origin} closed the connection before the response was complete (${context.errorCode ?? 'connection reset'}).`,
  },
  backend_timeout: {
    status: 502,
    detail: (context) =>
      `proxbox-api at ${context.origin} did not answer within the ${seconds(context.deadlineMs)} limit (${context.deadlineVariable}).`,
  },
  backend_tls_untrusted: {
    status: 502,
    detail: (context) =>
      `TLS verification of proxbox-api at ${context.origin} failed: its certificate is not trusted (${context.errorCode}). Set PROXBOX_API_CA_FILE to the PEM file of its CA or self-signed certificate, or PROXBOX_API_VERIFY_TLS=false to turn verification off.`,
  },
  backend_tls_name_mismatch: {
    status: 502,
    detail: (context) =>
      `TLS verification of proxbox-api at ${context.origin} failed: the certificate does not name this host (${context.errorCode}). Use the host name the certificate was issued for, or PROXBOX_API_VERIFY_TLS=false.`,
  },
  backend_tls: {
    status: 502,
    detail: (context) => `The TLS handshake with proxbox-api at ${context.origin} failed (${context.errorCode}).`,
  },
  backend_speaks_http: {
    status: 502,
    detail: (context) =>
      `proxbox-api at ${context.origin} answered an HTTPS request in plain HTTP. Use http:// in PROXBOX_API_URL.`,
  },
  backend_expects_https: {
    status: 502,
    detail: (context) =>
      `proxbox-api at ${context.origin} expects HTTPS but received plain HTTP. Use https:// in PROXBOX_API_URL.`,
  },
  backend_key_rejected: {
    status: 502,
    detail: (context) =>
      `proxbox-api rejected the API key (HTTP 401). Set PROXBOX_API_KEY to a key proxbox-api accepts.${quoteProxboxApi(context.upstreamDetail)}`,
  },
  backend_key_missing: {
    status: 502,
    detail: (context) =>
      `proxbox-api requires an API key (HTTP 401), but PROXBOX_API_KEY is not set, so none was sent. Set PROXBOX_API_KEY to a key proxbox-api accepts.${quoteProxboxApi(context.upstreamDetail)}`,
  },
  backend_key_locked: {
    status: 502,
    detail: (context) =>
      `proxbox-api locked the API key out after repeated failed attempts (HTTP 429). Fix PROXBOX_API_KEY, then retry after the Retry-After delay.${quoteProxboxApi(context.upstreamDetail)}`,
  },
  backend_http_error: {
    status: 502,
    detail: (context) => `proxbox-api answered HTTP ${context.status}.${quoteProxboxApi(context.upstreamDetail)}`,
  },
  backend_redirect: {
    status: 502,
    detail: (context) =>
      `proxbox-api answered with a redirect (HTTP ${context.status} to ${context.location ?? 'an unnamed location'}), which the gateway does not follow. Set PROXBOX_API_URL to the final address.`,
  },
  backend_malformed_response: {
    status: 502,
    detail: (context) =>
      `proxbox-api at ${context.origin} sent a response that is not valid HTTP (${context.errorCode}). Check that PROXBOX_API_URL points at proxbox-api itself.`,
  },
  backend_invalid_body: {
    status: 502,
    detail: (context) => `proxbox-api answered HTTP ${context.status} with a body that is not JSON${reason(context.reason)}. Check that PROXBOX_API_URL points at proxbox-api itself.`,
  },
  backend_body_too_large: {
    status: 502,
    detail: (context) =>
      `proxbox-api sent a response larger than ${context.maxBodyBytes} bytes (BACKEND_MAX_BODY_BYTES). Raise the limit if the cluster is that large.`,
  },

  not_ready: {
    status: 503,
    detail: (context) => `Not ready: ${context.reason ?? 'no backend is configured'}`,
  },
  request_head_too_large: {
    status: 431,
    detail: () => 'The request line and headers are larger than 16 KB, the limit of the HTTP server. Shorten the URL or the headers.',
  },
  invalid_http_request: {
    status: 400,
    detail: (context) => `The request is not valid HTTP/1.1 (${context.errorCode}). Check the client or proxy that sent it.`,
  },
  request_timeout: {
    status: 408,
    detail: () => 'The request was not received completely in time, so the connection was closed.',
  },
  malformed_request: {
    status: 400,
    detail: () => 'The request URL is malformed (invalid percent-encoding or characters). Check the path.',
  },

  internal_error: {
    status: 500,
    detail: (context) => `The gateway failed unexpectedly. Its log has the details under request ID ${context.requestId ?? 'unknown'}.`,
  },
} satisfies Record<string, FailureKind>;

export type FailureCode = keyof typeof FAILURES;

/** A request that ends in one of the catalogued failures. */
export class GatewayFailure extends Error {
  readonly status: number;
  readonly detail: string;

  constructor(
    readonly code: FailureCode,
    readonly context: FailureContext = {},
    /** Headers to send with the error, such as Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    const kind: FailureKind = FAILURES[code];
    const detail = kind.detail(context);
    super(detail);
    this.status = kind.status;
    this.detail = detail;
  }
}

/**
 * Shortest value treated as a secret. NetBox keys, v2 secrets and session IDs
 * are 32 characters or more, so a shorter value is no real credential, and
 * replacing it everywhere it occurs would only garble ordinary words.
 */
export const MIN_REDACTED_LENGTH = 8;

/**
 * Replaces every occurrence of each secret with "[redacted]". A neighbour's
 * error detail may quote what it received, the API key or the credential.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let redacted = text;
  for (const secret of secrets) {
    if (secret.length >= MIN_REDACTED_LENGTH) redacted = redacted.split(secret).join('[redacted]');
  }
  return redacted;
}

/** Cuts text taken from a neighbour's response to one bounded line. */
export function boundedText(text: string, maxLength = 300): string {
  const oneLine = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return oneLine.length > maxLength ? `${oneLine.slice(0, maxLength - 1)}\u2026` : oneLine;
}
