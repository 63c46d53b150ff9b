import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { ErrorBody } from './dto/error-body.dto.js';
import { HaResource } from './dto/ha-records.dto.js';
import { HaSummary, LegacyHaSummary } from './dto/ha-summary.dto.js';
import { FAILURES, GatewayFailure, type FailureCode, type FailureContext } from './gateway-failures.js';

type RouteName = 'summary' | 'vm';

const BACKEND = 'http://proxbox-api:8800';
const BACKEND_TLS = 'https://proxbox-api:8443';
const NETBOX = 'http://netbox:8080';

const ROUTE_DEADLINES: Record<RouteName, FailureContext> = {
  summary: { deadlineMs: 15_000, deadlineVariable: 'HA_SUMMARY_TIMEOUT_MS' },
  vm: { deadlineMs: 10_000, deadlineVariable: 'HA_VM_TIMEOUT_MS' },
};

/** For each failure, the context of a typical occurrence, so every example reads like a real answer. */
const SAMPLE_CONTEXTS: Partial<Record<FailureCode, FailureContext>> = {
  credentials_rejected: { upstreamDetail: 'Invalid token' },
  netbox_unreachable: { origin: NETBOX, errorCode: 'ECONNREFUSED' },
  netbox_timeout: { origin: NETBOX, deadlineMs: 5_000 },
  netbox_error: { origin: NETBOX, status: 500 },
  netbox_invalid_answer: { origin: NETBOX, status: 200, reason: 'an HTML page' },
  netbox_plugin_missing: { origin: NETBOX },
  netbox_speaks_http: { origin: 'https://netbox:8080' },
  netbox_tls: { origin: 'https://netbox', errorCode: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
  backend_not_discovered: { reason: 'none is enabled with a domain or IP address' },
  backend_refused: { origin: BACKEND },
  backend_dns: { hostname: 'proxbox-api', errorCode: 'ENOTFOUND' },
  backend_unreachable: { origin: BACKEND, errorCode: 'EHOSTUNREACH' },
  backend_reset: { origin: BACKEND, errorCode: 'ECONNRESET' },
  backend_timeout: { origin: BACKEND },
  backend_tls_untrusted: { origin: BACKEND_TLS, errorCode: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
  backend_tls_name_mismatch: { origin: BACKEND_TLS, errorCode: 'ERR_TLS_CERT_ALTNAME_INVALID' },
  backend_tls: { origin: BACKEND_TLS, errorCode: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' },
  backend_speaks_http: { origin: 'https://proxbox-api:8800' },
  backend_expects_https: { origin: 'http://proxbox-api:8443' },
  backend_key_rejected: { upstreamDetail: 'Invalid or missing API key.' },
  backend_key_missing: { upstreamDetail: 'Invalid or missing API key.' },
  backend_key_locked: { upstreamDetail: 'Too many failed authentication attempts. Try again later.' },
  backend_http_error: { status: 500, upstreamDetail: 'Internal Server Error' },
  backend_redirect: { status: 307, location: 'http://proxbox-api:8800/docs' },
  backend_malformed_response: { origin: BACKEND, errorCode: 'HPE_INVALID_CONSTANT' },
  backend_invalid_body: { status: 200, reason: 'the body is empty' },
  backend_body_too_large: { maxBodyBytes: 33_554_432 },
};

/** Documents one error status with an example body for each failure code it can carry on `route`. */
function ApiErrors(status: number, description: string, codes: FailureCode[], route: RouteName) {
  const examples = Object.fromEntries(
    codes.map((code) => {
      const failure = new GatewayFailure(code, { ...ROUTE_DEADLINES[route], ...SAMPLE_CONTEXTS[code] });
      return [code, { summary: code, value: { detail: failure.detail, code } }];
    }),
  );
  for (const code of codes) {
    if (FAILURES[code].status !== status) throw new Error(`${code} is not a ${status} failure`);
  }
  return ApiResponse({
    status,
    description,
    content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorBody) }, examples } },
  });
}

const BACKEND_FAILURES: FailureCode[] = [
  'backend_refused',
  'backend_dns',
  'backend_unreachable',
  'backend_reset',
  'backend_timeout',
  'backend_tls_untrusted',
  'backend_tls_name_mismatch',
  'backend_tls',
  'backend_speaks_http',
  'backend_expects_https',
  'backend_key_rejected',
  'backend_key_missing',
  'backend_key_locked',
  'backend_http_error',
  'backend_redirect',
  'backend_malformed_response',
  'backend_invalid_body',
  'backend_body_too_large',
];

const UNAVAILABLE_FAILURES: FailureCode[] = [
  'backend_not_configured',
  'backend_not_discovered',
  'backend_ha_unsupported',
  'netbox_not_configured',
  'netbox_unreachable',
  'netbox_timeout',
  'netbox_error',
  'netbox_invalid_answer',
  'netbox_plugin_missing',
  'netbox_speaks_http',
  'netbox_tls',
];

const FORBIDDEN_FAILURES: FailureCode[] = ['credentials_missing', 'credentials_malformed', 'credentials_rejected', 'permission_denied'];

/** Documents the error statuses both HA routes share. */
function ApiHaErrors(route: RouteName) {
  return applyDecorators(
    ApiExtraModels(ErrorBody),
    ApiHeader({ name: 'X-Request-ID', required: false, description: 'Echoed back and sent to proxbox-api; generated when absent or invalid.' }),
    ApiErrors(403, 'Credentials missing (while login is required), rejected by NetBox, or without view permission on any Proxbox endpoint model.', FORBIDDEN_FAILURES, route),
    ApiErrors(502, 'proxbox-api could not be reached, failed, timed out, redirected, or sent a body that is not JSON or too large. A 429 from proxbox-api comes with its Retry-After header.', BACKEND_FAILURES, route),
    ApiErrors(503, 'No backend configured, proxbox-api older than v0.0.11, or NetBox unavailable for the credential check.', UNAVAILABLE_FAILURES, route),
  );
}

export function ApiSummaryRoute() {
  return applyDecorators(
    ApiOperation({
      summary: 'Cluster-wide HA summary',
      description:
        'Proxied live from proxbox-api `GET /proxmox/cluster/ha/summary` (one request, 15 s limit by default). The body is the backend\'s, byte for byte. Current backends send `status`, `groups`, `resources` and `rules`; older ones `nodes`, `groups`, `resources` and `status`. A cluster without HA answers 200 with empty lists.',
    }),
    ApiExtraModels(HaSummary, LegacyHaSummary),
    // anyOf, not oneOf: neither shape has required fields, so every real body matches both.
    ApiOkResponse({
      description: 'The backend\'s HA summary, unchanged.',
      schema: { anyOf: [{ $ref: getSchemaPath(HaSummary) }, { $ref: getSchemaPath(LegacyHaSummary) }] },
    }),
    ApiHaErrors('summary'),
  );
}

export function ApiVmRoute() {
  return applyDecorators(
    ApiOperation({
      summary: 'HA record of one guest',
      description:
        'Proxied live from proxbox-api `GET /proxmox/cluster/ha/resources/by-vm/{vmid}` (one request, 10 s limit by default), which looks up `vm:{vmid}` and then `ct:{vmid}`. A guest that is not HA-managed answers `{}`.',
    }),
    ApiParam({
      name: 'vmid',
      description: 'Proxmox guest ID: decimal digits, 100 to 999999999. Leading zeros are dropped before forwarding.',
      schema: { type: 'string', pattern: '^[0-9]+$', example: '101' },
    }),
    ApiExtraModels(HaResource),
    ApiOkResponse({
      description: 'The guest\'s HA resource, or `{}` when it is not HA-managed.',
      content: {
        'application/json': {
          // anyOf, not oneOf: HaResource has no required fields, so `{}` matches both branches.
          schema: { anyOf: [{ $ref: getSchemaPath(HaResource) }, { type: 'object', additionalProperties: false, description: 'Not HA-managed.' }] },
          examples: {
            managed: {
              summary: 'HA-managed VM',
              value: { cluster_name: 'pve8-lab', sid: 'vm:101', type: 'vm', state: 'started', group: 'ha-default', node: 'pve1', crm_state: 'started', request_state: 'started', status: 'started', max_relocate: 1, max_restart: 1 },
            },
            unmanaged: { summary: 'Guest not HA-managed', value: {} },
          },
        },
      },
    }),
    ApiErrors(400, 'The VMID is not decimal digits in the range 100 to 999999999. proxbox-api is not called.', ['invalid_vmid'], 'vm'),
    ApiHaErrors('vm'),
  );
}
