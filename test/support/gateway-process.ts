import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const START_LIMIT_MS = 20_000;

export interface GatewayProcess {
  url: string;
  /** Every line the process wrote to stdout so far (JSON log lines). */
  stdoutLines: string[];
  stderrLines: string[];
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface FinishedProcess {
  exitCode: number | null;
  stdoutLines: string[];
  stderrLines: string[];
}

/** Builds the child's environment from `env` alone, so the test runner's variables cannot leak in. */
function childEnvironment(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', ...env };
}

function collectLines(stream: NodeJS.ReadableStream | null, lines: string[], onLine: (line: string) => void = () => undefined): void {
  let pending = '';
  stream?.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const complete = pending.split('\n');
    pending = complete.pop() ?? '';
    for (const line of complete) {
      if (line === '') continue;
      lines.push(line);
      onLine(line);
    }
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('close', (code: number | null) => resolve(code)));
}

/**
 * Spawns the built server (`node dist/main.js`) and resolves once it logs
 * "proxbox-ha-gateway listening", with the URL from that line.
 */
export function spawnGateway(env: Record<string, string>): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [MAIN], { env: childEnvironment(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const stdoutLines: string[] = [];
  const stderrLines: string[] = [];
  collectLines(child.stderr, stderrLines);

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The gateway did not start within ${START_LIMIT_MS} ms. stderr: ${stderrLines.join('\n')}`));
    }, START_LIMIT_MS);

    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`The gateway exited with code ${code} before listening. stderr: ${stderrLines.join('\n')}`));
    });

    collectLines(child.stdout, stdoutLines, (line) => {
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg !== 'proxbox-ha-gateway listening' || entry.url === undefined) return;
      clearTimeout(timer);
      resolve({
        url: entry.url.replace('[::1]', '127.0.0.1'),
        stdoutLines,
        stderrLines,
        stop() {
          child.kill('SIGTERM');
          return exitOf(child);
        },
      });
    });
  });
}

/** Spawns the built server and waits for it to exit on its own, as it does on a configuration error. */
export async function runGatewayToExit(env: Record<string, string>): Promise<FinishedProcess> {
  const child = spawn(process.execPath, [MAIN], { env: childEnvironment(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const stdoutLines: string[] = [];
  const stderrLines: string[] = [];
  collectLines(child.stdout, stdoutLines);
  collectLines(child.stderr, stderrLines);

  const timer = setTimeout(() => child.kill('SIGKILL'), START_LIMIT_MS);
  const exitCode = await exitOf(child);
  clearTimeout(timer);
  return { exitCode, stdoutLines, stderrLines };
}
