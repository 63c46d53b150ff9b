import { expect } from '@jest/globals';
import { SESSIONS, V1_TOKENS, V2_TOKENS } from '../../simulators/netbox-fixtures.js';
import type { RecordedRequest } from '../../simulators/recorded-request.js';

/** A well-formed v1 token that the simulated NetBox does not know. */
export const UNKNOWN_V1_TOKEN = 'ffffffffffffffffffffffffffffffffffffffff';

/** Every credential in the simulated NetBox's fixtures, plus the unknown token. */
export const FIXTURE_SECRETS = [...Object.values(V1_TOKENS), ...Object.values(V2_TOKENS), ...Object.values(SESSIONS), UNKNOWN_V1_TOKEN];

export const token = (key: string) => ({ Authorization: `Token ${key}` });
export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
export const session = (id: string) => ({ Cookie: `csrftoken=abc123; sessionid=${id}` });

/**
 * Checks that no secret appears in any captured log line, whole or as its
 * first 16 characters, so that a truncated credential is caught too.
 */
export function expectLogsFreeOf(logs: string[], secrets: string[]): void {
  expect(logs.length).toBeGreaterThan(0);
  for (const secret of secrets) {
    const prefix = secret.slice(0, 16);
    const leaking = logs.filter((line) => line.includes(secret) || line.includes(prefix));
    expect({ secret: prefix, leaking }).toEqual({ secret: prefix, leaking: [] });
  }
}

/** Checks that none of these requests carried a NetBox credential. */
export function expectNoCredentialHeaders(requests: RecordedRequest[]): void {
  for (const request of requests) {
    expect(request.headers.authorization).toBeUndefined();
    expect(request.headers.cookie).toBeUndefined();
  }
}
