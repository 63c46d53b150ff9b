/**
 * Deterministic HA summaries for the benchmark, shaped like a current
 * proxbox-api's response (status, groups, resources, rules). The same call
 * always returns the same bytes, so forwarded bodies can be compared by hash.
 */

const STATES = ['started', 'started', 'started', 'stopped', 'ignored'] as const;
const TIMESTAMP = 1_764_851_400;

interface ClusterShape {
  name: string;
  nodes: string[];
  resources: number;
  /** Add one `service` status row per resource, as a busy cluster reports them. */
  serviceRows: boolean;
}

function digestFor(seed: number): string {
  let hex = '';
  let value = seed * 2_654_435_761;
  while (hex.length < 40) {
    value = (value * 1_103_515_245 + 12_345) % 2 ** 31;
    hex += value.toString(16).padStart(8, '0');
  }
  return hex.slice(0, 40);
}

function buildCluster(cluster: ClusterShape, firstVmid: number) {
  const { name, nodes } = cluster;
  const status: Record<string, unknown>[] = [
    { cluster_name: name, id: 'quorum', type: 'quorum', node: nodes[0], status: 'OK', quorate: true, timestamp: TIMESTAMP },
    { cluster_name: name, id: 'master', type: 'master', node: nodes[0], status: `${nodes[0]} (active, Thu Dec  4 12:30:00 2026)`, timestamp: TIMESTAMP },
    ...nodes.map((node) => ({
      cluster_name: name, id: `lrm:${node}`, type: 'lrm', node, state: 'active', status: `${node} (active, Thu Dec  4 12:30:01 2026)`, timestamp: TIMESTAMP,
    })),
  ];
  const groups = [
    { cluster_name: name, group: 'ha-default', type: 'group', nodes: nodes.map((node, i) => `${node}:${nodes.length - i}`).join(','), restricted: false, nofailback: false, comment: null, digest: digestFor(firstVmid) },
  ];
  const resources: Record<string, unknown>[] = [];

  for (let i = 0; i < cluster.resources; i += 1) {
    const vmid = firstVmid + i;
    const type = i % 4 === 3 ? 'ct' : 'vm';
    const sid = `${type}:${vmid}`;
    const state = STATES[i % STATES.length];
    const node = nodes[i % nodes.length];
    resources.push({
      cluster_name: name, sid, type, state, group: 'ha-default', max_relocate: 1, max_restart: 1, failback: true,
      comment: i % 3 === 0 ? `guest ${vmid}` : null, node, crm_state: state, request_state: state, status: state,
    });
    if (cluster.serviceRows) {
      status.push({
        cluster_name: name, id: `service:${sid}`, type: 'service', sid, node, state, status: state, crm_state: state,
        request_state: state, failback: true, max_relocate: 1, max_restart: 1, timestamp: TIMESTAMP,
      });
    }
  }
  return { status, groups, resources };
}

function buildSummary(clusters: ClusterShape[]): string {
  const summary = { status: [] as unknown[], groups: [] as unknown[], resources: [] as unknown[], rules: [] as unknown[] };
  clusters.forEach((cluster, index) => {
    const built = buildCluster(cluster, 100 + index * 100_000);
    summary.status.push(...built.status);
    summary.groups.push(...built.groups);
    summary.resources.push(...built.resources);
  });
  return JSON.stringify(summary);
}

/** One cluster of 3 nodes with 40 HA resources: about 10 KB, a typical dashboard refresh. */
export function realisticSummary(): Buffer {
  return Buffer.from(buildSummary([{ name: 'pve-prod', nodes: ['pve1', 'pve2', 'pve3'], resources: 40, serviceRows: false }]));
}

/** 20 clusters of 8 nodes with 1,000 HA resources each and their service rows: about 10 MB. */
export function largeSummary(): Buffer {
  const clusters = Array.from({ length: 20 }, (_, index) => ({
    name: `pve-site-${String(index + 1).padStart(2, '0')}`,
    nodes: Array.from({ length: 8 }, (__, node) => `site${index + 1}-node${node + 1}`),
    resources: 1_000,
    serviceRows: true,
  }));
  return Buffer.from(buildSummary(clusters));
}
