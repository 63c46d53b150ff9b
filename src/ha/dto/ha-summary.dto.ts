import { ApiPropertyOptional } from '@nestjs/swagger';
import { HaGroup, HaNode, HaResource, HaRule, HaStatusRow } from './ha-records.dto.js';

/**
 * The summary of current proxbox-api versions. PVE 8 clusters fill `groups`;
 * PVE 9 replaced groups with `rules`, so either list may be empty. A cluster
 * without HA returns every list empty.
 */
export class HaSummary {
  @ApiPropertyOptional({ type: [HaStatusRow], nullable: true })
  status?: HaStatusRow[] | null;

  @ApiPropertyOptional({ type: [HaGroup], nullable: true })
  groups?: HaGroup[] | null;

  @ApiPropertyOptional({ type: [HaResource], nullable: true })
  resources?: HaResource[] | null;

  @ApiPropertyOptional({ type: [HaRule], nullable: true })
  rules?: HaRule[] | null;
}

/** The summary of older proxbox-api versions, with a `nodes` list and no rules. */
export class LegacyHaSummary {
  @ApiPropertyOptional({ type: [HaNode], nullable: true })
  nodes?: HaNode[] | null;

  @ApiPropertyOptional({ type: [HaGroup], nullable: true })
  groups?: HaGroup[] | null;

  @ApiPropertyOptional({ type: [HaResource], nullable: true })
  resources?: HaResource[] | null;

  @ApiPropertyOptional({ type: [HaStatusRow], nullable: true })
  status?: HaStatusRow[] | null;
}
