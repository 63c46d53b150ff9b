import { readFileSync } from 'node:fs';
import { validateSync } from 'class-validator';
import {
  BOOLEAN_VARIABLES,
  EnvironmentVariables,
  INTEGER_VARIABLES,
  SECRET_VARIABLES,
  STRING_VARIABLES,
} from './environment.js';

export interface TlsSettings {
  verify: boolean;
  /** Extra PEM certificates to trust on top of Node's bundled roots. */
  extraCa: string | null;
}

export interface GatewayConfig {
  host: string;
  port: number;
  logLevel: EnvironmentVariables['LOG_LEVEL'];
  shutdownGraceMs: number;
  backend: {
    source: EnvironmentVariables['PROXBOX_API_SOURCE'];
    /** How often the backend URL is read again from NetBox when source is 'netbox'. */
    refreshIntervalMs: number;
    /** Base URL of proxbox-api from the environment; null when unset. */
    url: URL | null;
    apiKey: string | null;
    tls: TlsSettings;
    summaryDeadlineMs: number;
    vmDeadlineMs: number;
    maxBodyBytes: number;
  };
  netbox: {
    url: URL | null;
    tls: TlsSettings;
    timeoutMs: number;
    serviceToken: string | null;
  };
  auth: {
    loginRequired: boolean;
    allowTtlMs: number;
    denyTtlMs: number;
  };
}

/** A start-up error whose message is one line naming the variable at fault. */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

/**
 * Coerces the raw environment into typed values. A value that cannot be
 * coerced is kept as the raw string so that validation reports it.
 * Empty values count as unset, as they do in docker-compose env files.
 */
function coerceEnvironment(env: NodeJS.ProcessEnv): EnvironmentVariables {
  const variables = new EnvironmentVariables() as unknown as Record<string, unknown>;

  for (const name of STRING_VARIABLES) {
    const raw = env[name]?.trim();
    if (raw) variables[name] = raw;
  }
  for (const name of INTEGER_VARIABLES) {
    const raw = env[name]?.trim();
    if (raw) variables[name] = /^-?\d{1,15}$/.test(raw) ? Number(raw) : raw;
  }
  for (const name of BOOLEAN_VARIABLES) {
    const raw = env[name]?.trim().toLowerCase();
    if (!raw) continue;
    if (TRUE_WORDS.has(raw)) variables[name] = true;
    else if (FALSE_WORDS.has(raw)) variables[name] = false;
    else variables[name] = env[name];
  }

  return variables as unknown as EnvironmentVariables;
}

function describeFirstError(variables: EnvironmentVariables): string | null {
  const errors = validateSync(variables);
  if (errors.length === 0) return null;

  const first = errors[0];
  const constraints = first.constraints ?? {};
  // A type error explains more than a range error on a value of the wrong type.
  const constraint = constraints['isInt'] ?? Object.values(constraints)[0] ?? `${first.property} is invalid`;
  const sentence = constraint.startsWith(first.property) ? constraint : `${first.property} ${constraint}`;
  const shown =
    SECRET_VARIABLES.has(first.property) || first.value === undefined ? '' : ` (got ${JSON.stringify(String(first.value))})`;
  return `${sentence}${shown}`;
}

function readCa(path: string | undefined): string | null {
  return path ? readFileSync(path, 'utf8') : null;
}

/**
 * Validates the environment and builds the gateway's configuration.
 * Throws a ConfigurationError whose message names the first variable at fault.
 */
export function loadGatewayConfig(env: NodeJS.ProcessEnv): GatewayConfig {
  const variables = coerceEnvironment(env);

  const problem = describeFirstError(variables);
  if (problem !== null) {
    throw new ConfigurationError(`Invalid configuration: ${problem}.`);
  }
  if (variables.PROXBOX_API_SOURCE === 'netbox' && !variables.NETBOX_URL) {
    throw new ConfigurationError('Invalid configuration: NETBOX_URL is required while PROXBOX_API_SOURCE=netbox, because the backend URL is read from NetBox.');
  }
  if (variables.PROXBOX_API_SOURCE === 'netbox' && !variables.NETBOX_TOKEN) {
    throw new ConfigurationError(
      'Invalid configuration: NETBOX_TOKEN is required while PROXBOX_API_SOURCE=netbox: set it to a NetBox token that may view FastAPIEndpoint.',
    );
  }
  if (variables.LOGIN_REQUIRED && !variables.NETBOX_URL) {
    throw new ConfigurationError(
      'Invalid configuration: NETBOX_URL is required while LOGIN_REQUIRED=true, because NetBox checks every credential (set LOGIN_REQUIRED=false to allow anonymous access).',
    );
  }

  return {
    host: variables.HOST,
    port: variables.PORT,
    logLevel: variables.LOG_LEVEL,
    shutdownGraceMs: variables.SHUTDOWN_GRACE_MS,
    backend: {
      source: variables.PROXBOX_API_SOURCE,
      refreshIntervalMs: variables.PROXBOX_API_REFRESH_S * 1000,
      url: variables.PROXBOX_API_URL ? new URL(variables.PROXBOX_API_URL) : null,
      apiKey: variables.PROXBOX_API_KEY ?? null,
      tls: { verify: variables.PROXBOX_API_VERIFY_TLS, extraCa: readCa(variables.PROXBOX_API_CA_FILE) },
      summaryDeadlineMs: variables.HA_SUMMARY_TIMEOUT_MS,
      vmDeadlineMs: variables.HA_VM_TIMEOUT_MS,
      maxBodyBytes: variables.BACKEND_MAX_BODY_BYTES,
    },
    netbox: {
      url: variables.NETBOX_URL ? new URL(variables.NETBOX_URL) : null,
      tls: { verify: variables.NETBOX_VERIFY_TLS, extraCa: readCa(variables.NETBOX_CA_FILE) },
      timeoutMs: variables.NETBOX_TIMEOUT_MS,
      serviceToken: variables.NETBOX_TOKEN ?? null,
    },
    auth: {
      loginRequired: variables.LOGIN_REQUIRED,
      allowTtlMs: variables.AUTH_CACHE_TTL_S * 1000,
      denyTtlMs: variables.AUTH_DENY_CACHE_TTL_S * 1000,
    },
  };
}
