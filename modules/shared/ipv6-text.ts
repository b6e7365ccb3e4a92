/**
 * RFC 5952 text of eight 16-bit groups: lower case, leading zeros dropped, the longest run of two
 * or more zero groups (the first of equal runs) as ::. Netstat (words from /proc) and sniffer
 * (bytes of a packet) both print addresses this way.
 */
export function ipv6GroupsText(groups: readonly number[]): string {
  let best = { start: -1, length: 1 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start < 0) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}
