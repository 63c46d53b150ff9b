/**
 * Sample HA data for two clusters, shaped like proxbox-api's responses:
 * "pve8-lab" (Proxmox VE 8, HA groups) and "pve9-prod" (Proxmox VE 9, HA rules).
 */

export const PVE8_CLUSTER = 'pve8-lab';
export const PVE9_CLUSTER = 'pve9-prod';

/** Guest IDs that are HA-managed, with their service IDs. */
export const MANAGED_GUESTS: Record<number, string> = {
  101: 'vm:101',
  102: 'vm:102',
  205: 'ct:205',
  301: 'vm:301',
  302: 'vm:302',
  410: 'ct:410',
};

/** Guest IDs that exist in the sample but are not HA-managed: by-vm returns null. */
export const UNMANAGED_GUESTS = [150, 999, 1000];

const TIMESTAMP = 1_764_851_400;

export const RESOURCES = [
  {
    cluster_name: PVE8_CLUSTER, sid: 'vm:101', type: 'vm', state: 'started', group: 'ha-default',
    max_relocate: 1, max_restart: 1, failback: true, comment: 'database primary', digest: '8f3b1c0e5a7d9b2c4e6f8a0b1c3d5e7f9a1b3c5d',
    node: 'pve1', crm_state: 'started', request_state: 'started', status: 'started',
  },
  {
    cluster_name: PVE8_CLUSTER, sid: 'vm:102', type: 'vm', state: 'stopped', group: 'ha-default',
    max_relocate: 1, max_restart: 1, failback: true, comment: null, digest: '8f3b1c0e5a7d9b2c4e6f8a0b1c3d5e7f9a1b3c5d',
    node: 'pve2', crm_state: 'stopped', request_state: 'stopped', status: 'stopped',
  },
  {
    cluster_name: PVE8_CLUSTER, sid: 'ct:205', type: 'ct', state: 'started', group: 'ha-web',
    max_relocate: 2, max_restart: 3, failback: false, comment: 'reverse proxy', digest: '8f3b1c0e5a7d9b2c4e6f8a0b1c3d5e7f9a1b3c5d',
    node: 'pve2', crm_state: 'migrate', request_state: 'started', status: 'migrate',
  },
  {
    cluster_name: PVE9_CLUSTER, sid: 'vm:301', type: 'vm', state: 'started', group: null,
    max_relocate: 1, max_restart: 1, failback: true, comment: 'billing', digest: '1d3f5b7c9e0a2c4e6a8b0d2f4a6c8e0b2d4f6a8c',
    node: 'pve-a', crm_state: 'started', request_state: 'started', status: 'started',
  },
  {
    cluster_name: PVE9_CLUSTER, sid: 'vm:302', type: 'vm', state: 'started', group: null,
    max_relocate: 1, max_restart: 2, failback: true, comment: null, digest: '1d3f5b7c9e0a2c4e6a8b0d2f4a6c8e0b2d4f6a8c',
    node: 'pve-b', crm_state: 'recovery', request_state: 'started', status: 'recovery',
  },
  {
    cluster_name: PVE9_CLUSTER, sid: 'ct:410', type: 'ct', state: 'ignored', group: null,
    max_relocate: 0, max_restart: 0, failback: false, comment: 'maintenance', digest: '1d3f5b7c9e0a2c4e6a8b0d2f4a6c8e0b2d4f6a8c',
    node: 'pve-c', crm_state: 'ignored', request_state: 'ignored', status: 'ignored',
  },
];

const statusRow = (cluster: string, row: Record<string, unknown>) => ({
  cluster_name: cluster, id: null, type: null, sid: null, node: null, state: null, status: null,
  crm_state: null, request_state: null, quorate: null, failback: null, max_relocate: null, max_restart: null,
  timestamp: TIMESTAMP, ...row,
});

export const STATUS_ROWS = [
  statusRow(PVE8_CLUSTER, { id: 'quorum', type: 'quorum', node: 'pve1', status: 'OK', quorate: true }),
  statusRow(PVE8_CLUSTER, { id: 'master', type: 'master', node: 'pve1', status: 'pve1 (active, Thu Dec  4 12:30:00 2025)' }),
  statusRow(PVE8_CLUSTER, { id: 'lrm:pve1', type: 'lrm', node: 'pve1', status: 'pve1 (active, Thu Dec  4 12:30:01 2025)', state: 'active' }),
  statusRow(PVE8_CLUSTER, { id: 'lrm:pve2', type: 'lrm', node: 'pve2', status: 'pve2 (active, Thu Dec  4 12:30:02 2025)', state: 'active' }),
  statusRow(PVE8_CLUSTER, { id: 'service:vm:101', type: 'service', sid: 'vm:101', node: 'pve1', state: 'started', status: 'started', crm_state: 'started', request_state: 'started', failback: true, max_relocate: 1, max_restart: 1 }),
  statusRow(PVE8_CLUSTER, { id: 'service:ct:205', type: 'service', sid: 'ct:205', node: 'pve2', state: 'migrate', status: 'migrate', crm_state: 'migrate', request_state: 'started', failback: false, max_relocate: 2, max_restart: 3 }),
  statusRow(PVE9_CLUSTER, { id: 'quorum', type: 'quorum', node: 'pve-a', status: 'OK', quorate: true }),
  statusRow(PVE9_CLUSTER, { id: 'master', type: 'master', node: 'pve-b', status: 'pve-b (active, Thu Dec  4 12:29:58 2025)' }),
  statusRow(PVE9_CLUSTER, { id: 'service:vm:302', type: 'service', sid: 'vm:302', node: 'pve-b', state: 'recovery', status: 'recovery', crm_state: 'recovery', request_state: 'started', failback: true, max_relocate: 1, max_restart: 2 }),
];

export const GROUPS = [
  { cluster_name: PVE8_CLUSTER, group: 'ha-default', type: 'group', nodes: 'pve1:2,pve2:1', restricted: false, nofailback: false, comment: 'prefer pve1', digest: '2c4e6f8a0b1c3d5e7f9a1b3c5d8f3b1c0e5a7d9b' },
  { cluster_name: PVE8_CLUSTER, group: 'ha-web', type: 'group', nodes: 'pve2,pve3', restricted: true, nofailback: true, comment: null, digest: '2c4e6f8a0b1c3d5e7f9a1b3c5d8f3b1c0e5a7d9b' },
];

export const RULES = [
  { cluster_name: PVE9_CLUSTER, rule: 'db-on-nvme', type: 'node-affinity', affinity: 'positive', nodes: 'pve-a,pve-b', resources: 'vm:301,vm:302', strict: false, disable: false, comment: 'databases stay on NVMe nodes' },
  { cluster_name: PVE9_CLUSTER, rule: 'spread-replicas', type: 'resource-affinity', affinity: 'negative', nodes: null, resources: 'vm:301,vm:302', strict: true, disable: false, comment: null },
];

/** Returns the summary of a current proxbox-api: status, groups, resources and rules. */
export function sampleSummary(): string {
  return JSON.stringify({ status: STATUS_ROWS, groups: GROUPS, resources: RESOURCES, rules: RULES });
}

/** Returns the by-vm response: the guest's resource, or null when it is not HA-managed. */
export function sampleVmResource(vmid: number): string {
  const sid = MANAGED_GUESTS[vmid];
  const resource = RESOURCES.find((candidate) => candidate.sid === sid);
  return JSON.stringify(resource ?? null);
}
