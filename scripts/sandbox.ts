/**
 * Starts the gateway with simulated neighbours on loopback: a proxbox-api
 * serving sample HA data for two clusters and a NetBox that stores the sample
 * users and tokens. Ports can be moved with SANDBOX_GATEWAY_PORT,
 * SANDBOX_PROXBOX_API_PORT and SANDBOX_NETBOX_PORT.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GATEWAY_NODE_FLAGS } from '../src/node-flags.js';
import { V1_TOKENS, V2_TOKENS } from '../simulators/netbox-fixtures.js';
import { startNetBoxSimulator } from '../simulators/netbox-simulator.js';
import { startProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';

const API_KEY = 'sandbox-proxbox-api-key';

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
    throw new Error(`${name} must be a port number from 0 to 65535 (got "${raw}")`);
  }
  return Number(raw);
}

/** Starts one simulator, turning a busy port into a message that names the variable to change. */
async function startSimulator<T>(portVariable: string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`${(error as Error).message}: the port is busy, so set ${portVariable} to a free port`);
    }
    throw error;
  }
}

function printUsage(gatewayUrl: string): void {
  const base = `${gatewayUrl}/api/plugins/proxbox/ha`;
  const lines = [
    '',
    'proxbox-ha-gateway sandbox is running (Ctrl-C stops it).',
    '',
    `  Swagger UI:  ${gatewayUrl}/api/docs   (Authorize with: Token ${V1_TOKENS.admin})`,
    `  Readiness:   curl -i ${gatewayUrl}/readyz`,
    '',
    '  Allowed (superuser, v1 token), the summary of two clusters:',
    `    curl -i -H "Authorization: Token ${V1_TOKENS.admin}" ${base}/summary/`,
    '  Allowed (view right on ProxmoxEndpoint only, v2 token), one HA-managed VM and one unmanaged guest:',
    `    curl -i -H "Authorization: Bearer ${V2_TOKENS.proxmoxViewer}" ${base}/vm/101/`,
    `    curl -i -H "Authorization: Bearer ${V2_TOKENS.proxmoxViewer}" ${base}/vm/150/`,
    '  Refused token (403 with NetBox\'s "Invalid token"):',
    `    curl -i -H "Authorization: Token ffffffffffffffffffffffffffffffffffffffff" ${base}/summary/`,
    '  Token without view rights (403 permission_denied):',
    `    curl -i -H "Authorization: Token ${V1_TOKENS.noRights}" ${base}/summary/`,
    '  Not a VMID (400):',
    `    curl -i -H "Authorization: Token ${V1_TOKENS.admin}" ${base}/vm/abc/`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  const gatewayPort = portFromEnv('SANDBOX_GATEWAY_PORT', 8090);
  const backend = await startSimulator('SANDBOX_PROXBOX_API_PORT', () =>
    // proxbox-api locks a key out after 5 failed attempts for 300 s. The sandbox is more lenient, so that
    // trying a wrong key by hand does not lock out its own gateway for long.
    startProxboxApiSimulator({ apiKey: API_KEY, port: portFromEnv('SANDBOX_PROXBOX_API_PORT', 18800), lockoutAfter: 20, lockoutMs: 30_000 }),
  );
  const netbox = await startSimulator('SANDBOX_NETBOX_PORT', () => startNetBoxSimulator({ port: portFromEnv('SANDBOX_NETBOX_PORT', 18000) })).catch(
    async (error: unknown) => {
      await backend.close();
      throw error;
    },
  );
  process.stdout.write(
    `simulated proxbox-api: ${backend.url} (API key: ${API_KEY}; 20 wrong keys lock every client out for 30 s)\nsimulated NetBox:      ${netbox.url}\n`,
  );

  const mainScript = fileURLToPath(new URL('../../main.js', import.meta.url));
  const gateway = spawn(process.execPath, [...GATEWAY_NODE_FLAGS, mainScript], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(gatewayPort),
      PROXBOX_API_URL: backend.url,
      PROXBOX_API_KEY: API_KEY,
      NETBOX_URL: netbox.url,
      LOGIN_REQUIRED: 'true',
    },
  });

  let announced = false;
  gateway.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    if (!announced && chunk.toString('utf8').includes('proxbox-ha-gateway listening')) {
      announced = true;
      printUsage(`http://127.0.0.1:${gatewayPort}`);
    }
  });

  const stop = async () => {
    gateway.kill('SIGTERM');
    await Promise.all([backend.close(), netbox.close()]);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  gateway.once('exit', (code) => {
    if (!announced && code !== 0) {
      process.stderr.write(`sandbox: the gateway stopped during start-up (exit code ${code}); if port ${gatewayPort} is busy, set SANDBOX_GATEWAY_PORT to a free port\n`);
    }
    void Promise.all([backend.close(), netbox.close()]).then(() => {
      process.exitCode = code ?? 0;
    });
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`sandbox: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
