import { readFileSync } from 'node:fs';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  Min,
  MinLength,
  registerDecorator,
  type ValidationArguments,
} from 'class-validator';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const BACKEND_SOURCES = ['env', 'netbox'] as const;

/** Node's timers hold at most 2^31 - 1 ms; a longer delay silently becomes 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

const BOOLEAN_MESSAGE = '$property must be true or false (1/0, yes/no and on/off also work)';

/** Variables whose values must never appear in a start-up error. */
export const SECRET_VARIABLES = new Set(['PROXBOX_API_KEY', 'NETBOX_TOKEN']);

/**
 * Checks that a value is an absolute http:// or https:// URL without a query
 * string or fragment, because both would be mangled when route paths are
 * appended to it.
 */
function IsBaseUrl() {
  return (target: object, propertyName: string) => {
    registerDecorator({
      name: 'isBaseUrl',
      target: target.constructor,
      propertyName,
      validator: {
        validate(value: unknown) {
          return typeof value === 'string' && describeBaseUrlProblem(value) === null;
        },
        defaultMessage(args: ValidationArguments) {
          const problem = typeof args.value === 'string' ? describeBaseUrlProblem(args.value) : null;
          return problem ?? 'must be an http:// or https:// URL';
        },
      },
    });
  };
}

export function describeBaseUrlProblem(value: string): string | null {
  // "netbox:8080" parses as the scheme "netbox:" and "127.0.0.1:8800" not at all; both lack a scheme.
  if (/^[\w.-]+:\d+(\/|$)/.test(value)) {
    return `is missing http:// or https:// (for example http://${value})`;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a valid URL (expected something like http://host:port)';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `must use http:// or https://, not ${url.protocol}//`;
  }
  if (url.search !== '' || url.hash !== '') {
    return 'must not contain a query string or fragment';
  }
  return null;
}

/** Checks that a value names a readable file that contains at least one PEM certificate. */
function IsReadablePemFile() {
  return (target: object, propertyName: string) => {
    registerDecorator({
      name: 'isReadablePemFile',
      target: target.constructor,
      propertyName,
      validator: {
        validate(value: unknown) {
          return typeof value === 'string' && describePemFileProblem(value) === null;
        },
        defaultMessage(args: ValidationArguments) {
          return describePemFileProblem(String(args.value)) ?? 'must name a readable PEM file';
        },
      },
    });
  };
}

function describePemFileProblem(path: string): string | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    return `names a file that cannot be read (${reason})`;
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    return 'names a file without a PEM certificate (no -----BEGIN CERTIFICATE----- line)';
  }
  return null;
}

/**
 * The gateway's environment after type coercion. Each property is named
 * exactly like its variable so that a validation error names the variable.
 */
export class EnvironmentVariables {
  @IsString()
  @MinLength(1)
  HOST = '0.0.0.0';

  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 8090;

  @IsOptional()
  @IsBaseUrl()
  PROXBOX_API_URL?: string;

  @IsOptional()
  @IsString()
  PROXBOX_API_KEY?: string;

  @IsBoolean({ message: BOOLEAN_MESSAGE })
  PROXBOX_API_VERIFY_TLS = true;

  @IsOptional()
  @IsReadablePemFile()
  PROXBOX_API_CA_FILE?: string;

  @IsInt()
  @Min(1)
  @Max(MAX_TIMER_MS)
  HA_SUMMARY_TIMEOUT_MS = 15_000;

  @IsInt()
  @Min(1)
  @Max(MAX_TIMER_MS)
  HA_VM_TIMEOUT_MS = 10_000;

  @IsOptional()
  @IsBaseUrl()
  NETBOX_URL?: string;

  @IsBoolean({ message: BOOLEAN_MESSAGE })
  NETBOX_VERIFY_TLS = true;

  @IsOptional()
  @IsReadablePemFile()
  NETBOX_CA_FILE?: string;

  @IsInt()
  @Min(1)
  @Max(MAX_TIMER_MS)
  NETBOX_TIMEOUT_MS = 5_000;

  @IsBoolean({ message: BOOLEAN_MESSAGE })
  LOGIN_REQUIRED = true;

  @IsInt()
  @Min(0)
  AUTH_CACHE_TTL_S = 60;

  @IsInt()
  @Min(0)
  AUTH_DENY_CACHE_TTL_S = 10;

  @IsInt()
  @Min(1)
  BACKEND_MAX_BODY_BYTES = 33_554_432;

  @IsInt()
  @Min(0)
  @Max(MAX_TIMER_MS)
  SHUTDOWN_GRACE_MS = 10_000;

  @IsIn(BACKEND_SOURCES)
  PROXBOX_API_SOURCE: (typeof BACKEND_SOURCES)[number] = 'env';

  @IsOptional()
  @IsString()
  NETBOX_TOKEN?: string;

  @IsInt()
  @Min(1)
  @Max(Math.floor(MAX_TIMER_MS / 1000))
  PROXBOX_API_REFRESH_S = 30;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';
}

export const INTEGER_VARIABLES = [
  'PORT',
  'HA_SUMMARY_TIMEOUT_MS',
  'HA_VM_TIMEOUT_MS',
  'NETBOX_TIMEOUT_MS',
  'AUTH_CACHE_TTL_S',
  'AUTH_DENY_CACHE_TTL_S',
  'BACKEND_MAX_BODY_BYTES',
  'SHUTDOWN_GRACE_MS',
  'PROXBOX_API_REFRESH_S',
] as const;

export const BOOLEAN_VARIABLES = ['PROXBOX_API_VERIFY_TLS', 'NETBOX_VERIFY_TLS', 'LOGIN_REQUIRED'] as const;

export const STRING_VARIABLES = [
  'HOST',
  'PROXBOX_API_URL',
  'PROXBOX_API_KEY',
  'PROXBOX_API_CA_FILE',
  'NETBOX_URL',
  'NETBOX_CA_FILE',
  'PROXBOX_API_SOURCE',
  'NETBOX_TOKEN',
  'LOG_LEVEL',
] as const;
