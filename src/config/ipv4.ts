/**
 * IPv4 addresses as heartline.yaml writes them: dotted quads (`10.213.1.1`), optionally with a
 * prefix length (`10.213.1.1/24`) on a node's own address. Parsing is strict: four decimal
 * octets without leading zeros, because `010.1.1.1` means 8.1.1.1 to some parsers and 10.1.1.1
 * to others, and a heartbeat link on the wrong address fails silently.
 */
import { err, ok, type Result } from '../lib/index.js';

/** An address on an interface: the address and, when the file gave one, its prefix length. */
export interface Ipv4Interface {
  readonly address: string;
  readonly prefixLength?: number;
}

const OCTET = /^(0|[1-9]\d{0,2})$/;

/** The address as an unsigned 32-bit number, or undefined when `text` is not a dotted quad. */
export function ipv4ToNumber(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!OCTET.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

/** The dotted-quad form of an unsigned 32-bit number. */
export function numberToIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff].join('.');
}

/** Parses `a.b.c.d` or `a.b.c.d/len`; the error is a sentence naming the value. */
export function parseIpv4Interface(text: string): Result<Ipv4Interface, string> {
  const [address = '', prefix, extra] = text.split('/');
  if (extra !== undefined || ipv4ToNumber(address) === undefined) {
    return err(`'${text}' is not an IPv4 address: write four numbers 0-255 separated by dots, optionally with a prefix length (10.213.1.1 or 10.213.1.1/24)`);
  }
  if (prefix === undefined) return ok({ address });
  if (!/^\d{1,2}$/.test(prefix) || Number(prefix) > 32) return err(`'${text}' has a bad prefix length '/${prefix}': write /0 to /32, e.g. 10.213.1.1/24`);
  return ok({ address, prefixLength: Number(prefix) });
}

/** Whether `address` is in 224.0.0.0/4, the IPv4 multicast range. Undefined input is not. */
export function isIpv4Multicast(address: string): boolean {
  const value = ipv4ToNumber(address);
  return value !== undefined && value >>> 28 === 0xe;
}

/** The network mask of a prefix length as an unsigned 32-bit number. */
function maskOf(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

/** Whether `address` lies in the subnet of `network` (an interface address with a prefix length). */
export function isInSubnet(address: string, network: Required<Ipv4Interface>): boolean {
  const a = ipv4ToNumber(address);
  const n = ipv4ToNumber(network.address);
  if (a === undefined || n === undefined) return false;
  const mask = maskOf(network.prefixLength);
  return ((a & mask) >>> 0) === ((n & mask) >>> 0);
}

/** The directed broadcast address of an interface's subnet: 10.213.2.1/24 → 10.213.2.255. */
export function subnetBroadcastAddress(network: Required<Ipv4Interface>): string {
  const n = ipv4ToNumber(network.address) ?? 0;
  return numberToIpv4((n | ~maskOf(network.prefixLength)) >>> 0);
}

/** Formats an interface address back into the file's notation. */
export function formatIpv4Interface(value: Ipv4Interface): string {
  return value.prefixLength === undefined ? value.address : `${value.address}/${value.prefixLength}`;
}
