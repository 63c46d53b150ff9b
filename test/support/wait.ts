import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `condition` every 20 ms until it holds, and throws once `timeoutMs`
 * has passed without it. Used for effects that follow a response, such as
 * an upstream connection being closed.
 */
export async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition still false after ${timeoutMs} ms: ${condition.toString()}`);
    await sleep(20);
  }
}
