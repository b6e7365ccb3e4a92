import { describe, expect, it } from 'vitest';
import { parseNetDev } from './sysfs.js';

const HEADER =
  'Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n';

describe('parseNetDev', () => {
  it('reads bytes and packets each way, colon glued or not', () => {
    const text = `${HEADER}  eth0: 100 2 0 0 0 0 0 0 300 4 0 0 0 0 0 0\n  eth1:4294967296 7 0 0 0 0 0 0 8 9 0 0 0 0 0 0\n`;
    expect([...parseNetDev(text)]).toEqual([
      ['eth0', { rxBytes: 100, rxPackets: 2, txBytes: 300, txPackets: 4 }],
      ['eth1', { rxBytes: 4294967296, rxPackets: 7, txBytes: 8, txPackets: 9 }],
    ]);
  });

  it('skips lines not in the kernel format', () => {
    const text = `${HEADER}garbage\n  eth0: 1 2 3\n  a very long name: 1 2 0 0 0 0 0 0 3 4\n  eth2: x 2 0 0 0 0 0 0 3 4\n`;
    expect(parseNetDev(text).size).toBe(0);
  });
});
