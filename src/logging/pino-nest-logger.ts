import type { LoggerService } from '@nestjs/common';
import type { Logger as PinoLogger } from 'pino';

// Nest's start-up wiring messages, one line per module and route: useful when debugging, noise otherwise.
const WIRING_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/** Sends Nest's own log calls to pino, so the process writes one JSON format. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: PinoLogger) {}

  log(message: unknown, ...context: unknown[]): void {
    const source = context[context.length - 1];
    this.write(typeof source === 'string' && WIRING_CONTEXTS.has(source) ? 'debug' : 'info', message, context);
  }

  error(message: unknown, ...context: unknown[]): void {
    this.write('error', message, context);
  }

  warn(message: unknown, ...context: unknown[]): void {
    this.write('warn', message, context);
  }

  debug(message: unknown, ...context: unknown[]): void {
    this.write('debug', message, context);
  }

  verbose(message: unknown, ...context: unknown[]): void {
    this.write('trace', message, context);
  }

  fatal(message: unknown, ...context: unknown[]): void {
    this.write('fatal', message, context);
  }

  private write(level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace', message: unknown, context: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    // Nest passes the context name last, and a stack trace before it for errors.
    const source = typeof context[context.length - 1] === 'string' ? (context[context.length - 1] as string) : undefined;
    if (message !== null && typeof message === 'object' && !(message instanceof Error)) {
      this.pino[level]({ context: source, ...(message as Record<string, unknown>) });
    } else if (message instanceof Error) {
      this.pino[level]({ context: source, err: message }, message.message);
    } else {
      this.pino[level]({ context: source }, String(message));
    }
  }
}
