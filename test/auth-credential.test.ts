import { createHash } from 'node:crypto';
import { describe, expect, test } from '@jest/globals';
import { readCredential } from '../src/auth/credential.js';
import { GatewayFailure } from '../src/ha/gateway-failures.js';
import { SESSIONS, V1_TOKENS, V2_TOKENS } from '../simulators/netbox-fixtures.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function failureCodeOf(read: () => unknown): string | null {
  try {
    read();
    return null;
  } catch (error) {
    return error instanceof GatewayFailure ? error.code : `unexpected ${String(error)}`;
  }
}

describe('readCredential', () => {
  test('reads a v1 token unchanged', () => {
    const credential = readCredential({ authorization: `Token ${V1_TOKENS.admin}` });

    expect(credential?.kind).toBe('token_v1');
    expect(credential?.headers).toEqual({ Authorization: `Token ${V1_TOKENS.admin}` });
  });

  test('reads a v2 bearer token unchanged', () => {
    const credential = readCredential({ authorization: `Bearer ${V2_TOKENS.proxmoxViewer}` });

    expect(credential?.kind).toBe('token_v2');
    expect(credential?.headers).toEqual({ Authorization: `Bearer ${V2_TOKENS.proxmoxViewer}` });
  });

  test('accepts the scheme in any letter case', () => {
    // Django REST framework's TokenAuthentication, which NetBox extends, compares the scheme case-insensitively.
    const lower = readCredential({ authorization: `token ${V1_TOKENS.admin}` });
    const upper = readCredential({ authorization: `BEARER ${V2_TOKENS.proxmoxViewer}` });

    expect(lower?.kind).toBe('token_v1');
    expect(lower?.headers).toEqual({ Authorization: `token ${V1_TOKENS.admin}` });
    expect(upper?.kind).toBe('token_v2');
    expect(upper?.headers).toEqual({ Authorization: `BEARER ${V2_TOKENS.proxmoxViewer}` });
  });

  test('forwards only the session cookie', () => {
    const credential = readCredential({ cookie: `csrftoken=abc; sessionid=${SESSIONS.admin}; theme=dark` });

    expect(credential?.kind).toBe('session');
    expect(credential?.headers).toEqual({ Cookie: `sessionid=${SESSIONS.admin}` });
  });

  test('prefers the Authorization header over the cookie', () => {
    const credential = readCredential({ authorization: `Token ${V1_TOKENS.noRights}`, cookie: `sessionid=${SESSIONS.admin}` });

    expect(credential?.headers).toEqual({ Authorization: `Token ${V1_TOKENS.noRights}` });
  });

  test('returns null without credentials', () => {
    expect(readCredential({})).toBeNull();
    expect(readCredential({ cookie: 'csrftoken=abc; mysessionid=x' })).toBeNull();
  });

  test('fingerprint is a SHA-256, not the secret', () => {
    const credential = readCredential({ authorization: `Token ${V1_TOKENS.admin}` });

    expect(credential?.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(credential?.fingerprint).toBe(sha256(`token_v1\0${V1_TOKENS.admin}`));
  });

  test('fingerprint ignores scheme case, not kind', () => {
    const v1 = readCredential({ authorization: `Token ${V1_TOKENS.admin}` });
    const v1Lower = readCredential({ authorization: `token ${V1_TOKENS.admin}` });
    const asSession = readCredential({ cookie: `sessionid=${V1_TOKENS.admin}` });

    expect(v1Lower?.fingerprint).toBe(v1?.fingerprint);
    expect(asSession?.fingerprint).not.toBe(v1?.fingerprint);
  });

  test.each([
    ['an unknown scheme', 'Basic dXNlcjpwYXNz'],
    ['a scheme alone', 'Token'],
    ['two spaces', `Token  ${V1_TOKENS.admin}`],
    ['a bearer token without the nbt_ prefix', `Bearer ${V1_TOKENS.admin}`],
    ['a tab inside the token', `Token abc\tdef`],
    ['a 4097-character header', `Token ${'a'.repeat(4091)}`],
  ])('rejects %s as malformed', (_label, authorization) => {
    expect(failureCodeOf(() => readCredential({ authorization }))).toBe('credentials_malformed');
  });

  test('accepts a 4096-character header', () => {
    const authorization = `Token ${'a'.repeat(4090)}`;
    expect(authorization).toHaveLength(4096);

    expect(readCredential({ authorization })?.kind).toBe('token_v1');
  });
});
