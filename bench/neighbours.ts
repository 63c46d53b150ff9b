/**
 * The simulated proxbox-api and NetBox of the benchmark, run as a child
 * process so that they do not share an event loop with the load generator.
 * The parent sends commands over the IPC channel; each reply carries the
 * command's `id`.
 */
import { startNetBoxSimulator } from '../simulators/netbox-simulator.js';
import { startProxboxApiSimulator } from '../simulators/proxbox-api-simulator.js';
import { largeSummary, realisticSummary } from './ha-documents.js';

export const BENCH_API_KEY = 'bench-api-key';
/** Prefix of the throwaway v1 tokens that the simulated NetBox accepts for the cold-credential rows. */
export const COLD_TOKEN_PREFIX = 'cold';

export type SummarySize = 'realistic' | 'large';

export type NeighbourCommand =
  | { id: number; command: 'summary'; size: SummarySize }
  | { id: number; command: 'counts' }
  | { id: number; command: 'netbox_delay'; delayMs: number }
  | { id: number; command: 'stop' };

export interface NeighbourCounts {
  backendRequests: number;
  netboxListings: number;
}

export interface NeighbourReply {
  id: number;
  ready?: { backendUrl: string; netboxUrl: string };
  counts?: NeighbourCounts;
}

async function main(): Promise<void> {
  const send = (reply: NeighbourReply) => process.send?.(reply);
  const backend = await startProxboxApiSimulator({ apiKey: BENCH_API_KEY });
  const netbox = await startNetBoxSimulator({ prefixedTokens: { prefix: COLD_TOKEN_PREFIX, user: 'proxmoxViewer' } });
  const summaries = { realistic: realisticSummary(), large: largeSummary() };
  backend.setSummary(summaries.realistic);

  // The simulators record every request; fold those records into counters so that a long run keeps a flat memory profile.
  const totals: NeighbourCounts = { backendRequests: 0, netboxListings: 0 };
  const fold = () => {
    totals.backendRequests += backend.requests.length;
    totals.netboxListings += netbox.endpointListings();
    backend.requests.length = 0;
    netbox.requests.length = 0;
  };
  setInterval(fold, 1000).unref();

  process.on('message', (message: NeighbourCommand) => {
    switch (message.command) {
      case 'summary':
        backend.setSummary(summaries[message.size]);
        send({ id: message.id });
        return;
      case 'counts':
        fold();
        send({ id: message.id, counts: { ...totals } });
        return;
      case 'netbox_delay':
        netbox.setFault(message.delayMs > 0 ? { kind: 'slow', delayMs: message.delayMs } : null);
        send({ id: message.id });
        return;
      case 'stop':
        void Promise.all([backend.close(), netbox.close()]).then(() => process.exit(0));
        return;
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ id: 0, ready: { backendUrl: backend.url, netboxUrl: netbox.url } });
}

void main();
