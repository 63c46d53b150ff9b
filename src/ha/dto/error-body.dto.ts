import { ApiProperty } from '@nestjs/swagger';

/** The body of every error response of the gateway. */
export class ErrorBody {
  @ApiProperty({ description: 'One sentence an operator can act on. Never contains a credential.' })
  detail: string;

  @ApiProperty({ description: 'Stable snake_case identifier of the failure, for scripts and dashboards.' })
  code: string;
}
