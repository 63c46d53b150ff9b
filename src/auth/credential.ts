import { hash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { GatewayFailure } from '../ha/gateway-failures.js';

/** Longest Authorization header or session ID accepted; NetBox's own keys are far shorter. */
export const MAX_CREDENTIAL_LENGTH = 4096;

/** Longest Cookie header searched for the session ID. */
const MAX_COOKIE_HEADER_LENGTH = 64 * 1024;

export type CredentialKind = 'token_v1' | 'token_v2' | 'session';

/**
 * A NetBox credential taken from the client request. It is sent to NetBox
 * unchanged and to nowhere else, and only its hash is ever stored.
 */
export interface Credential {
  kind: CredentialKind;
  /** Headers that carry the credential to NetBox. */
  headers: Record<string, string>;
  /** SHA-256 of the credential, the key of the decision cache. */
  fingerprint: string;
  /** The secret values inside `headers`, to redact wherever NetBox quotes them back. */
  secrets: string[];
}

// Printable ASCII without spaces: what NetBox v1 keys, v2 tokens and Django session IDs are made of.
const TOKEN_CHARACTERS = /^[\x21-\x7e]+$/;
const V2_TOKEN = /^nbt_[A-Za-z0-9]+\.[\x21-\x7e]+$/;
const SESSION_COOKIE = /(?:^|;)\s*sessionid=([^;]*)/;

function fingerprint(kind: CredentialKind, value: string): string {
  // The one-shot hash() takes about a third of the time of createHash() for inputs this short.
  return hash('sha256', `${kind}\0${value}`, 'hex');
}

function malformed(reason?: string): GatewayFailure {
  return new GatewayFailure('credentials_malformed', { reason });
}

function readAuthorization(header: string): Credential {
  if (header.length > MAX_CREDENTIAL_LENGTH) throw malformed(`longer than ${MAX_CREDENTIAL_LENGTH} characters`);

  // The scheme is case-insensitive, as in Django REST framework's TokenAuthentication, which NetBox extends.
  const match = /^(Token|Bearer) ([^ ]+)$/i.exec(header);
  if (match === null) throw malformed();

  const [, scheme, token] = match;
  const bearer = scheme.toLowerCase() === 'bearer';
  if (!TOKEN_CHARACTERS.test(token)) throw malformed();
  if (bearer && !V2_TOKEN.test(token)) throw malformed('Bearer takes a v2 token, nbt_<key>.<secret>; a v1 key goes with Token');

  const kind: CredentialKind = bearer ? 'token_v2' : 'token_v1';
  // A v2 token's secret part is redacted on its own too, in case only that is quoted.
  const secrets = kind === 'token_v2' ? [token, token.slice(token.indexOf('.') + 1)] : [token];
  return { kind, headers: { Authorization: header }, fingerprint: fingerprint(kind, token), secrets };
}

function readSessionCookie(cookieHeader: string): Credential | null {
  const match = SESSION_COOKIE.exec(cookieHeader);
  if (match === null) return null;

  const sessionId = match[1].trim();
  if (sessionId.length > MAX_CREDENTIAL_LENGTH) throw malformed(`session ID longer than ${MAX_CREDENTIAL_LENGTH} characters`);
  if (sessionId === '' || !TOKEN_CHARACTERS.test(sessionId)) throw malformed();
  return { kind: 'session', headers: { Cookie: `sessionid=${sessionId}` }, fingerprint: fingerprint('session', sessionId), secrets: [sessionId] };
}

/**
 * Returns the request's NetBox credential: the Authorization header when
 * present, else the `sessionid` cookie, else null. A malformed one raises
 * `credentials_malformed` so that NetBox is never asked about it.
 */
export function readCredential(headers: IncomingHttpHeaders): Credential | null {
  const authorization = headers.authorization;
  if (authorization !== undefined) return readAuthorization(authorization);

  const cookie = headers.cookie;
  if (cookie === undefined) return null;
  if (cookie.length > MAX_COOKIE_HEADER_LENGTH) throw malformed();
  return readSessionCookie(cookie);
}
