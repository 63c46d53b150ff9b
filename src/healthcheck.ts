/**
 * Container health probe, run by the image's HEALTHCHECK: exits 0 when the
 * gateway in the same container returns 200 on GET /healthz, else 1. It reads
 * the container's own HOST and PORT, so it follows the gateway to any port.
 * Plain node is used because the slim base image has no curl or wget.
 */
const WILDCARD_HOSTS = new Set(['', '0.0.0.0', '::', '[::]']);
const TIMEOUT_MS = 3000;

function healthUrl(env: NodeJS.ProcessEnv): string {
  const host = env.HOST ?? '';
  const port = env.PORT === undefined || env.PORT === '' ? '8090' : env.PORT;
  let address = WILDCARD_HOSTS.has(host) ? '127.0.0.1' : host;
  if (address.includes(':') && !address.startsWith('[')) address = `[${address}]`;
  return `http://${address}:${port}/healthz`;
}

async function probe(): Promise<number> {
  const url = healthUrl(process.env);
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (response.status === 200) return 0;
    process.stderr.write(`healthcheck: ${url} returned HTTP ${response.status}\n`);
  } catch (error) {
    let reason = String(error);
    if (error instanceof Error) {
      // fetch() wraps the socket error, which names the actual problem (ECONNREFUSED, ...).
      reason = error.cause instanceof Error ? error.cause.message : error.message;
    }
    process.stderr.write(`healthcheck: ${url} failed: ${reason}\n`);
  }
  return 1;
}

process.exitCode = await probe();
