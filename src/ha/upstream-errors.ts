import { isNativeError } from 'node:util/types';

/**
 * Sorts the low-level errors of an HTTP exchange (Node socket, DNS and TLS
 * errors, as wrapped by axios) into the few kinds an operator can act on.
 */

export type TransportErrorKind =
  | 'refused'
  | 'dns'
  | 'malformed'
  | 'reset'
  | 'unreachable'
  | 'tls_untrusted'
  | 'tls_name_mismatch'
  | 'speaks_http'
  | 'tls';

const UNTRUSTED_CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
]);

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_BAD_RESPONSE']);
const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);

export interface ClassifiedError {
  kind: TransportErrorKind;
  /** The most specific code found, such as ECONNREFUSED or DEPTH_ZERO_SELF_SIGNED_CERT. */
  code: string;
}

function collectCodes(error: unknown): { codes: string[]; messages: string[] } {
  const codes: string[] = [];
  const messages: string[] = [];
  let current: unknown = error;

  // axios keeps the socket error as `cause`; TLS errors can nest once more.
  // isNativeError also accepts errors made in another realm, such as Node's own under Jest's VM modules.
  for (let depth = 0; depth < 4 && (current instanceof Error || isNativeError(current)); depth += 1) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string') codes.push(code);
    messages.push(current.message);
    current = (current as Error & { cause?: unknown }).cause;
  }
  return { codes, messages };
}

/** Returns the kind of a transport failure, or null when the error is not one. */
export function classifyTransportError(error: unknown): ClassifiedError | null {
  const { codes, messages } = collectCodes(error);
  const text = messages.join(' ');
  const specific = codes.find((code) => code !== 'ERR_BAD_RESPONSE' && code !== 'ERR_NETWORK') ?? codes[0];

  // llhttp's parse errors (HPE_INVALID_CONSTANT, HPE_HEADER_OVERFLOW, ...): the peer responded, but not in valid HTTP.
  const parseError = codes.find((code) => code.startsWith('HPE_'));
  if (parseError !== undefined) return { kind: 'malformed', code: parseError };

  for (const code of codes) {
    if (UNTRUSTED_CERTIFICATE_CODES.has(code)) return { kind: 'tls_untrusted', code };
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return { kind: 'tls_name_mismatch', code };
  }
  // OpenSSL's messages when the peer responds to a ClientHello with plain HTTP.
  if (/wrong version number|packet length too long|http request/i.test(text) || codes.includes('ERR_SSL_WRONG_VERSION_NUMBER')) {
    return { kind: 'speaks_http', code: 'ERR_SSL_WRONG_VERSION_NUMBER' };
  }
  for (const code of codes) {
    if (code === 'ECONNREFUSED') return { kind: 'refused', code };
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL') return { kind: 'dns', code };
    if (UNREACHABLE_CODES.has(code)) return { kind: 'unreachable', code };
    if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code === 'EPROTO') return { kind: 'tls', code };
  }
  for (const code of codes) {
    if (RESET_CODES.has(code)) return { kind: 'reset', code: specific ?? code };
  }
  if (/socket hang up|aborted|premature close/i.test(text)) {
    return { kind: 'reset', code: specific ?? 'ECONNRESET' };
  }
  return specific ? { kind: 'unreachable', code: specific } : null;
}

/** Returns the `detail` string of a JSON error body, or null. */
export function extractDetail(body: Buffer): string | null {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (parsed && typeof parsed === 'object' && 'detail' in parsed) {
      const detail = (parsed as { detail: unknown }).detail;
      if (typeof detail === 'string') return detail;
      if (detail !== undefined) return JSON.stringify(detail);
    }
  } catch {
    // Not JSON: the caller decides what to say instead.
  }
  return null;
}
