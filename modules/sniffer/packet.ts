import { ipv6GroupsText } from '../shared/ipv6-text.js';

/**
 * Header-deep decoding of one captured packet: the link header (Ethernet with VLAN tags, Linux
 * cooked SLL and SLL2 as `-i any` writes, raw IP, BSD loopback), then IPv4 or IPv6, then the
 * ports of TCP or UDP. It reads addresses, protocol and ports and stops there: payload bytes are
 * never looked at. Every offset is checked against the captured length; a packet it cannot
 * decode is `undefined` (counted by the caller), never an exception.
 */

export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LINUX_SLL: 113,
  LINUX_SLL2: 276,
  IPV4: 228,
  IPV6: 229,
} as const;

export type Proto = 'tcp' | 'udp' | 'icmp' | 'icmp6' | 'other';

export interface PacketHeaders {
  src: string;
  dst: string;
  proto: Proto;
  srcPort?: number;
  dstPort?: number;
  /** From a Linux cooked header: sent by this host (out) or received (in); unknown otherwise. */
  direction?: 'in' | 'out';
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const VLAN_TAGS = new Set([0x8100, 0x88a8, 0x9100]);
/** Linux packet types (if_packet.h): PACKET_OUTGOING is what this host sent. */
const PACKET_OUTGOING = 4;

interface Network {
  /** Where the IP header starts. */
  offset: number;
  ethertype: number;
  direction?: 'in' | 'out';
}

function u16(data: Uint8Array, at: number): number {
  return ((data[at] ?? 0) << 8) | (data[at + 1] ?? 0);
}

function linkLayer(linktype: number, data: Uint8Array): Network | undefined {
  switch (linktype) {
    case LINKTYPE.ETHERNET: {
      let at = 12;
      // Up to two VLAN tags (802.1Q, QinQ) before the real ethertype.
      for (let tags = 0; tags < 2 && data.length >= at + 2 && VLAN_TAGS.has(u16(data, at)); tags++) at += 4;
      if (data.length < at + 2) return undefined;
      return { offset: at + 2, ethertype: u16(data, at) };
    }
    case LINKTYPE.LINUX_SLL:
      if (data.length < 16) return undefined;
      return { offset: 16, ethertype: u16(data, 14), direction: u16(data, 0) === PACKET_OUTGOING ? 'out' : 'in' };
    case LINKTYPE.LINUX_SLL2:
      if (data.length < 20) return undefined;
      return { offset: 20, ethertype: u16(data, 0), direction: data[10] === PACKET_OUTGOING ? 'out' : 'in' };
    case LINKTYPE.NULL: {
      if (data.length < 4) return undefined;
      // The address family, in the capturing host's byte order: 2 is IPv4; 24, 28 and 30 are IPv6 on BSDs.
      const family = (data[0] ?? 0) === 0 ? (data[3] ?? 0) : (data[0] ?? 0);
      if (family === 2) return { offset: 4, ethertype: ETHERTYPE_IPV4 };
      if (family === 24 || family === 28 || family === 30) return { offset: 4, ethertype: ETHERTYPE_IPV6 };
      return undefined;
    }
    case LINKTYPE.RAW:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6: {
      const version = (data[0] ?? 0) >> 4;
      if (version === 4) return { offset: 0, ethertype: ETHERTYPE_IPV4 };
      if (version === 6) return { offset: 0, ethertype: ETHERTYPE_IPV6 };
      return undefined;
    }
    default:
      return undefined;
  }
}

function ipv4Text(data: Uint8Array, at: number): string {
  return `${data[at]}.${data[at + 1]}.${data[at + 2]}.${data[at + 3]}`;
}

/** RFC 5952 text (modules/shared/ipv6-text.ts) of the 16 bytes at `at`. */
export function ipv6Text(data: Uint8Array, at: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(u16(data, at + i * 2));
  return ipv6GroupsText(groups);
}

const PROTO_NAMES: Readonly<Record<number, Proto>> = { 6: 'tcp', 17: 'udp', 1: 'icmp', 58: 'icmp6' };
/** IPv6 extension headers walked over to reach TCP or UDP: hop-by-hop, routing, destination options. */
const IPV6_EXTENSIONS = new Set([0, 43, 60]);
const IPV6_FRAGMENT = 44;

/** Adds the ports of TCP and UDP (the first four bytes of their header) when the packet has them. */
function addPorts(headers: PacketHeaders, data: Uint8Array, at: number, isFirstFragment: boolean): PacketHeaders {
  if (isFirstFragment && (headers.proto === 'tcp' || headers.proto === 'udp') && data.length >= at + 4) {
    headers.srcPort = u16(data, at);
    headers.dstPort = u16(data, at + 2);
  }
  return headers;
}

function ipv4(data: Uint8Array, at: number): PacketHeaders | undefined {
  if (data.length < at + 20 || (data[at] ?? 0) >> 4 !== 4) return undefined;
  const headerLength = ((data[at] ?? 0) & 0x0f) * 4;
  if (headerLength < 20) return undefined;
  const protocol = data[at + 9] ?? 0;
  const fragmentOffset = u16(data, at + 6) & 0x1fff;
  const headers: PacketHeaders = {
    src: ipv4Text(data, at + 12),
    dst: ipv4Text(data, at + 16),
    proto: PROTO_NAMES[protocol] ?? 'other',
  };
  return addPorts(headers, data, at + headerLength, fragmentOffset === 0);
}

function ipv6(data: Uint8Array, at: number): PacketHeaders | undefined {
  if (data.length < at + 40 || (data[at] ?? 0) >> 4 !== 6) return undefined;
  let next = data[at + 6] ?? 0;
  let offset = at + 40;
  let isFirstFragment = true;
  // A bounded walk: a hostile chain of extension headers ends after eight.
  for (let hops = 0; hops < 8 && (IPV6_EXTENSIONS.has(next) || next === IPV6_FRAGMENT); hops++) {
    if (data.length < offset + 8) {
      next = -1;
      break;
    }
    if (next === IPV6_FRAGMENT) {
      isFirstFragment = (u16(data, offset + 2) & 0xfff8) === 0;
      next = data[offset] ?? 0;
      offset += 8;
    } else {
      const length = ((data[offset + 1] ?? 0) + 1) * 8;
      next = data[offset] ?? 0;
      offset += length;
    }
  }
  const headers: PacketHeaders = {
    src: ipv6Text(data, at + 8),
    dst: ipv6Text(data, at + 24),
    proto: PROTO_NAMES[next] ?? 'other',
  };
  return addPorts(headers, data, offset, isFirstFragment);
}

/** The packet's addresses, protocol and ports, or undefined when it is not IP or is cut too short. */
export function decodePacket(linktype: number, data: Uint8Array): PacketHeaders | undefined {
  const link = linkLayer(linktype, data);
  if (link === undefined) return undefined;
  const headers =
    link.ethertype === ETHERTYPE_IPV4
      ? ipv4(data, link.offset)
      : link.ethertype === ETHERTYPE_IPV6
        ? ipv6(data, link.offset)
        : undefined;
  if (headers !== undefined && link.direction !== undefined) headers.direction = link.direction;
  return headers;
}
