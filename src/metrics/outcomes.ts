import type { FailureCode } from '../ha/gateway-failures.js';

/**
 * The outcome labels of the backend and NetBox histograms, derived from the
 * failure catalogue's codes. Several codes share an outcome where an operator
 * would act the same way, so the label keeps a small, fixed set of values.
 * Both tables are typed against the catalogue: a new `backend_*` or
 * `netbox_*` code does not compile until it has an outcome here.
 */

type BackendFailureCode = Extract<FailureCode, `backend_${string}`>;
type NetBoxFailureCode = Extract<FailureCode, `netbox_${string}`> | 'credentials_rejected' | 'permission_denied';

const BACKEND_OUTCOMES = {
  backend_refused: 'refused',
  backend_dns: 'dns',
  backend_unreachable: 'unreachable',
  backend_reset: 'reset',
  backend_timeout: 'timeout',
  backend_tls_untrusted: 'tls',
  backend_tls_name_mismatch: 'tls',
  backend_tls: 'tls',
  backend_speaks_http: 'wrong_scheme',
  backend_expects_https: 'wrong_scheme',
  backend_key_rejected: 'key_rejected',
  backend_key_missing: 'key_rejected',
  backend_key_locked: 'key_locked',
  backend_http_error: 'http_error',
  backend_redirect: 'redirect',
  backend_malformed_response: 'malformed_response',
  backend_invalid_body: 'invalid_body',
  backend_body_too_large: 'too_large',
  backend_not_configured: 'not_configured',
  backend_not_discovered: 'not_configured',
  backend_ha_unsupported: 'ha_unsupported',
} as const satisfies Record<BackendFailureCode, string>;

const NETBOX_OUTCOMES = {
  credentials_rejected: 'rejected',
  permission_denied: 'denied',
  netbox_not_configured: 'not_configured',
  netbox_unreachable: 'unreachable',
  netbox_timeout: 'timeout',
  netbox_error: 'error',
  netbox_invalid_answer: 'invalid_answer',
  netbox_plugin_missing: 'plugin_missing',
  netbox_tls: 'tls',
  netbox_speaks_http: 'wrong_scheme',
} as const satisfies Record<NetBoxFailureCode, string>;

/** `client_gone`: the client left first. `internal_error`: an exception outside the catalogue. */
export type BackendOutcome = 'ok' | 'client_gone' | 'internal_error' | (typeof BACKEND_OUTCOMES)[BackendFailureCode];
export type NetBoxOutcome = 'allowed' | 'internal_error' | (typeof NETBOX_OUTCOMES)[NetBoxFailureCode];


/**
 * Returns the backend outcome of a request that reached the backend stage,
 * from the failure code it ended in (null when it succeeded).
 */
export function backendOutcome(failureCode: string | null): BackendOutcome {
  if (failureCode === null) return 'ok';
  if (failureCode === 'client_gone') return 'client_gone';
  return Object.hasOwn(BACKEND_OUTCOMES, failureCode) ? BACKEND_OUTCOMES[failureCode as BackendFailureCode] : 'internal_error';
}

/** Returns the outcome of one NetBox check, from its decision's or its failure's code (null when allowed). */
export function netBoxOutcome(failureCode: string | null): NetBoxOutcome {
  if (failureCode === null) return 'allowed';
  return Object.hasOwn(NETBOX_OUTCOMES, failureCode) ? NETBOX_OUTCOMES[failureCode as NetBoxFailureCode] : 'internal_error';
}

/** True for the codes of a request turned away before any backend exchange started because no backend is configured. */
export function isBackendNotConfigured(failureCode: string | null): boolean {
  return failureCode === 'backend_not_configured' || failureCode === 'backend_not_discovered';
}
