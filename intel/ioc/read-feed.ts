import { parsePlainList } from './plain-list.js';
import { parseStix } from './stix.js';
import type { IndicatorSet } from './indicator.js';
import { looksLikeYara, parseYaraFile } from './yara-file.js';

export type FeedFormat = 'stix' | 'yara' | 'list';

/** The feed's format from its content: JSON is STIX, text with rules is YARA, the rest a plain list. */
export function detectFeedFormat(text: string): FeedFormat {
  const start = text.trimStart();
  if (start.startsWith('{') || start.startsWith('[')) return 'stix';
  return looksLikeYara(text) ? 'yara' : 'list';
}

/** A feed's text → indicators and what could not be translated. `source` names the file in messages. */
export function readFeed(
  text: string,
  source: string,
  now: Date,
  format: FeedFormat = detectFeedFormat(text),
): { format: FeedFormat; set: IndicatorSet } {
  if (format === 'yara') return { format, set: parseYaraFile(text, source) };
  if (format === 'list') return { format, set: parsePlainList(text) };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source} is not JSON: ${(err as Error).message}`);
  }
  return { format, set: parseStix(raw, now) };
}
