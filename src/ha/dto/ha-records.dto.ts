import { ApiPropertyOptional } from '@nestjs/swagger';

// Shapes of proxbox-api's HA responses, for the OpenAPI document only: the
// gateway forwards the backend's bytes and never validates them. Every field
// may be absent or null, and backends add fields over time. Each field names
// its `type` because TypeScript reflects a union with null as Object.
//
// NOTE: the plugin's own API page shows an older backend sending 0 and 1 for
// quorate, restricted and nofailback. These are documented as booleans, as
// current backends send them, so a strict validator rejects such a body.

const REQUESTED_STATES = ['started', 'stopped', 'disabled', 'ignored'];

export class HaStatusRow {
  @ApiPropertyOptional({ type: 'string', nullable: true, example: 'pve8-lab' })
  cluster_name?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, example: 'service:vm:101' })
  id?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, enum: ['quorum', 'master', 'lrm', 'service'], example: 'service' })
  type?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, example: 'vm:101' })
  sid?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, example: 'pve1' })
  node?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, example: 'started' })
  state?: string | null;

  @ApiPropertyOptional({
    type: 'string',
    nullable: true,
    description: 'Proxmox status line. A cluster the backend could not read appears as one row whose status starts with "error: ".',
    example: 'started',
  })
  status?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, example: 'started' })
  crm_state?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, example: 'started' })
  request_state?: string | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true, example: true })
  quorate?: boolean | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true, example: true })
  failback?: boolean | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, example: 1 })
  max_relocate?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, example: 1 })
  max_restart?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, description: 'Unix time of the reading.', example: 1764851400 })
  timestamp?: number | null;
}

export class HaResource {
  @ApiPropertyOptional({ type: 'string', nullable: true, example: 'pve8-lab' })
  cluster_name?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, description: 'Proxmox service ID: vm:<vmid> or ct:<vmid>.', example: 'vm:101' })
  sid?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, enum: ['vm', 'ct'], example: 'vm' })
  type?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, enum: REQUESTED_STATES, description: 'Requested state.', example: 'started' })
  state?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, description: 'HA group (PVE 8); absent on PVE 9, which uses rules.', example: 'ha-default' })
  group?: string | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, example: 1 })
  max_relocate?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, example: 1 })
  max_restart?: number | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true, example: true })
  failback?: boolean | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, example: 'database primary' })
  comment?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, example: '8f3b1c0e5a7d9b2c4e6f8a0b1c3d5e7f9a1b3c5d' })
  digest?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, description: 'Node the guest runs on now.', example: 'pve1' })
  node?: string | null;

  @ApiPropertyOptional({
    type: 'string',
    nullable: true,
    description:
      'Runtime service state: started, starting, stopped, request_stop, stopping, migrate, relocate, recovery, fence, freeze, error, queued, disabled or ignored.',
    example: 'started',
  })
  crm_state?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, example: 'started' })
  request_state?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, example: 'started' })
  status?: string | null;
}

export class HaGroup {
  @ApiPropertyOptional({ type: 'string', nullable: true, example: 'pve8-lab' })
  cluster_name?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, example: 'ha-default' })
  group?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, example: 'group' })
  type?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, description: 'Member nodes, each with an optional priority.', example: 'pve1:2,pve2:1' })
  nodes?: string | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true, example: false })
  restricted?: boolean | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true, example: false })
  nofailback?: boolean | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, example: 'prefer pve1' })
  comment?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, example: '2c4e6f8a0b1c3d5e7f9a1b3c5d8f3b1c0e5a7d9b' })
  digest?: string | null;
}

export class HaRule {
  @ApiPropertyOptional({ type: 'string', nullable: true, example: 'pve9-prod' })
  cluster_name?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, example: 'keep-db-on-fast-nodes' })
  rule?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, enum: ['node-affinity', 'resource-affinity'], example: 'node-affinity' })
  type?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, enum: ['positive', 'negative'], example: 'positive' })
  affinity?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, description: 'Comma-separated node list.', example: 'pve-a,pve-b' })
  nodes?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, description: 'Comma-separated service IDs.', example: 'vm:101,vm:102' })
  resources?: string | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true, example: false })
  strict?: boolean | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true, example: false })
  disable?: boolean | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, example: 'databases stay on NVMe nodes' })
  comment?: string | null;
}

/** A node row from older proxbox-api versions (the `nodes` array). */
export class HaNode {
  @ApiPropertyOptional({ type: 'string', nullable: true, example: 'pve-01' })
  node?: string | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true, example: true })
  online?: boolean | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, example: 'active' })
  ha_state?: string | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, example: 1 })
  quorum?: number | null;
}
