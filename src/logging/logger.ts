import pino, { type DestinationStream, type Logger } from 'pino';
import type { GatewayConfig } from '../config/gateway-config.js';
import { isNativeError } from 'node:util/types';

/**
 * Serializes an error without its own enumerable properties: an axios error
 * carries the request configuration, API key header included.
 */
function serializeError(error: unknown): Record<string, unknown> {
  // isNativeError also accepts errors made in another realm, such as Node's own under Jest's VM modules.
  if (!(error instanceof Error) && !isNativeError(error)) return { message: String(error) };
  const code = (error as NodeJS.ErrnoException).code;
  return { type: error.name, message: error.message, code, stack: error.stack };
}

/** Creates the process logger: JSON lines, and headers redacted should any code path ever log them. */
export function createLogger(level: GatewayConfig['logLevel'], destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'proxbox-ha-gateway' },
    serializers: { err: serializeError },
    redact: {
      paths: ['headers.authorization', 'headers.cookie', 'headers["x-proxbox-api-key"]', '*.headers.authorization', '*.headers.cookie', '*.headers["x-proxbox-api-key"]'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
