import { ipNetProblem } from '../../modules/netstat/ip.js';

/**
 * One indicator of compromise, reduced to what a module can look for. Feeds (STIX bundles,
 * plain lists, YARA files) all become these; what cannot become one is an Untranslated with
 * its reason, never dropped.
 */
export type IndicatorKind = 'md5' | 'sha1' | 'sha256' | 'sha384' | 'sha512' | 'sha3' | 'filename' | 'ip' | 'yara';

export interface Indicator {
  /** The feed's id (STIX `indicator--…`), else `line-N` or the YARA rule name. */
  id: string;
  /** The feed's name for it, else the value itself. */
  name: string;
  kind: IndicatorKind;
  /** Lowercase hex for hashes; the file name; the IP or CIDR; the rule name for yara. */
  value: string;
  /** yara only: the whole rule source the rule is in. */
  rules?: string;
  /** filename only: `value` is an RE2 regex on the base name (STIX LIKE and MATCHES), not a literal name. */
  isRegex?: boolean;
}

/**
 * Several comparisons that must all hold on one file (STIX `[file:name = 'a' AND
 * file:hashes.MD5 = 'b']`): a search of its own, matchall.
 */
export interface FileConjunction {
  id: string;
  name: string;
  names: string[];
  hashes: { kind: IndicatorKind; value: string }[];
}

export interface Untranslated {
  id: string;
  name: string;
  /** The pattern or line as the feed wrote it. */
  pattern: string;
  reason: string;
}

export interface IndicatorSet {
  indicators: Indicator[];
  conjunctions: FileConjunction[];
  untranslated: Untranslated[];
}

export const HASH_KINDS_BY_LENGTH: ReadonlyMap<number, IndicatorKind> = new Map([
  [32, 'md5'],
  [40, 'sha1'],
  [64, 'sha256'],
  [96, 'sha384'],
  [128, 'sha512'],
]);

/** Extensions that make `x.y` a file name rather than a host name when a list does not say. */
const FILE_EXTENSIONS = new Set(
  'php phtml php5 phar jsp jspx asp aspx ashx cgi pl py rb sh bash exe dll sys scr msi bat cmd ps1 vbs js hta lnk jar war so elf bin dat tmp txt log conf ini zip gz tgz tar rar 7z iso img doc docx docm xls xlsx xlsm ppt pptx pdf rtf html htm svg'.split(
    ' ',
  ),
);
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}$/i;

/** What a bare value in a plain list is: a hash by its length, an IP or CIDR, a URL, a host name, or a file name. */
export function classifyValue(value: string): { kind: IndicatorKind; value: string } | { reason: string } {
  if (/^[0-9a-f]+$/i.test(value)) {
    const kind = HASH_KINDS_BY_LENGTH.get(value.length);
    if (kind !== undefined) return { kind, value: value.toLowerCase() };
  }
  if (ipNetProblem(value) === undefined) return { kind: 'ip', value };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value))
    return { reason: 'a URL: no module sees URLs on an endpoint; hunt the host it names by IP (ip:ADDRESS)' };
  if (value.includes('/')) {
    const base = value.slice(value.lastIndexOf('/') + 1);
    if (base === '') return { reason: 'a directory path: give a file name or a hash' };
    return { kind: 'filename', value: base };
  }
  const extension = value.slice(value.lastIndexOf('.') + 1).toLowerCase();
  if (HOST_NAME.test(value) && !FILE_EXTENSIONS.has(extension)) {
    return {
      reason:
        'a host name: no module resolves or sees DNS names on an endpoint; resolve it and hunt its addresses (ip:ADDRESS), or write filename:VALUE if it is a file',
    };
  }
  if (/[\0\n\r]/.test(value) || value.length > 255)
    return { reason: 'not a usable file name (control characters or over 255 bytes)' };
  return { kind: 'filename', value };
}

/** Explicit prefixes a plain list may use to say what a value is (`sha256:…`, `ip:…`, `filename:…`). */
export const KIND_PREFIXES: Readonly<Record<string, IndicatorKind | 'domain' | 'url'>> = {
  md5: 'md5',
  sha1: 'sha1',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  sha3: 'sha3',
  ip: 'ip',
  cidr: 'ip',
  filename: 'filename',
  name: 'filename',
  file: 'filename',
  domain: 'domain',
  url: 'url',
};

/** A value of a kind named explicitly: checked, normalised, or the reason it cannot be used. */
export function valueOfKind(
  kind: IndicatorKind | 'domain' | 'url',
  value: string,
): { kind: IndicatorKind; value: string } | { reason: string } {
  switch (kind) {
    case 'domain':
      return {
        reason: 'a host name: no module resolves or sees DNS names on an endpoint; resolve it and hunt its addresses',
      };
    case 'url':
      return { reason: 'a URL: no module sees URLs on an endpoint' };
    case 'ip': {
      const problem = ipNetProblem(value);
      return problem === undefined ? { kind, value } : { reason: problem };
    }
    case 'filename':
      if (value === '' || value.includes('/') || /[\0\n\r]/.test(value) || value.length > 255)
        return { reason: 'expected a file name without "/" (1-255 bytes)' };
      return { kind, value };
    case 'yara':
      return { reason: 'YARA rules come in rule files, not list lines' };
    case 'sha3':
      return /^[0-9a-f]+$/i.test(value) && [56, 64, 96, 128].includes(value.length)
        ? { kind, value: value.toLowerCase() }
        : { reason: 'expected a SHA-3 digest: 56, 64, 96 or 128 hex digits' };
    default: {
      const want = [...HASH_KINDS_BY_LENGTH].find(([, k]) => k === kind)?.[0] ?? 0;
      return /^[0-9a-f]+$/i.test(value) && value.length === want
        ? { kind, value: value.toLowerCase() }
        : { reason: `expected a ${kind} digest: ${want} hex digits` };
    }
  }
}
