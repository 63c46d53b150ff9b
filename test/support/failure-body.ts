import { GatewayFailure, type FailureCode, type FailureContext } from '../../src/ha/gateway-failures.js';

/** Returns the exact error body the gateway sends for a catalogued failure, as text. */
export function failureBody(code: FailureCode, context: FailureContext = {}): string {
  const failure = new GatewayFailure(code, context);
  return JSON.stringify({ detail: failure.detail, code });
}
