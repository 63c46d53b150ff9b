import { Injectable, type PipeTransform } from '@nestjs/common';
import { GatewayFailure } from './gateway-failures.js';

/** Proxmox VE accepts guest IDs from 100 to 999999999. */
export const MIN_VMID = 100;
export const MAX_VMID = 999_999_999;

/**
 * Returns the VMID in canonical form (`0101` becomes 101), or throws
 * `invalid_vmid` for anything but ASCII decimal digits in Proxmox's range.
 */
export function parseVmid(raw: string): number {
  if (!/^[0-9]+$/.test(raw)) throw new GatewayFailure('invalid_vmid');

  const digits = raw.replace(/^0+(?=\d)/, '');
  if (digits.length > String(MAX_VMID).length) throw new GatewayFailure('invalid_vmid');

  const vmid = Number(digits);
  if (vmid < MIN_VMID || vmid > MAX_VMID) throw new GatewayFailure('invalid_vmid');
  return vmid;
}

@Injectable()
export class VmidPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    return parseVmid(value);
  }
}
