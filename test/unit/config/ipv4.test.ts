// IPv4 parsing and subnet arithmetic used by the link rules: strict dotted quads (no leading
// zeros), prefix lengths, multicast range, subnet membership and broadcast addresses.
import { describe, expect, it } from 'vitest';
import { ipv4ToNumber, isInSubnet, isIpv4Multicast, numberToIpv4, parseIpv4Interface, subnetBroadcastAddress } from '../../../src/config/ipv4.js';

describe('parseIpv4Interface', () => {
  it.each([
    ['10.213.1.1', { address: '10.213.1.1' }],
    ['0.0.0.0', { address: '0.0.0.0' }],
    ['255.255.255.255', { address: '255.255.255.255' }],
    ['10.213.1.1/24', { address: '10.213.1.1', prefixLength: 24 }],
    ['10.0.0.1/0', { address: '10.0.0.1', prefixLength: 0 }],
    ['10.0.0.1/32', { address: '10.0.0.1', prefixLength: 32 }],
  ])('reads %s', (text, value) => {
    expect(parseIpv4Interface(text)).toEqual({ ok: true, value });
  });

  it.each(['10.0.0', '10.0.0.256', '010.0.0.1', '10.0.0.1/33', '10.0.0.1/', '10.0.0.1/24/1', 'eth0', '', '::1', '10.0.0.-1'])('refuses %j', (text) => {
    expect(parseIpv4Interface(text).ok).toBe(false);
  });
});

describe('IPv4 arithmetic', () => {
  it('round-trips numbers and dotted quads', () => {
    expect(ipv4ToNumber('192.168.1.10')).toBe(0xc0a8010a);
    expect(numberToIpv4(0xc0a8010a)).toBe('192.168.1.10');
  });

  it.each([
    ['224.0.0.1', true],
    ['239.255.42.1', true],
    ['223.255.255.255', false],
    ['240.0.0.1', false],
    ['not an address', false],
  ])('%s is multicast: %s', (address, multicast) => {
    expect(isIpv4Multicast(address)).toBe(multicast);
  });

  it('computes subnet membership and broadcast addresses', () => {
    expect(isInSubnet('10.213.2.255', { address: '10.213.2.1', prefixLength: 24 })).toBe(true);
    expect(isInSubnet('10.213.3.255', { address: '10.213.2.1', prefixLength: 24 })).toBe(false);
    expect(isInSubnet('1.2.3.4', { address: '10.213.2.1', prefixLength: 0 })).toBe(true);
    expect(subnetBroadcastAddress({ address: '10.213.2.1', prefixLength: 24 })).toBe('10.213.2.255');
    expect(subnetBroadcastAddress({ address: '10.213.2.1', prefixLength: 23 })).toBe('10.213.3.255');
    expect(subnetBroadcastAddress({ address: '10.213.2.1', prefixLength: 32 })).toBe('10.213.2.1');
  });
});
