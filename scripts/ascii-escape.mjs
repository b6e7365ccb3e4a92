// @ts-check
/**
 * Makes a bundle ASCII so bin/code-cache.js can decode it as Latin-1 into a one-byte string:
 * 3.7 ms for the 2.3 MB CLI file instead of 10-13 ms through UTF-8, and half the memory (a
 * single "−" in a comment made V8 hold the whole source at two bytes a character). esbuild's
 * `charset: 'ascii'` escapes strings and plain templates but leaves comments, regular
 * expression literals and the raw text of tagged templates as written.
 *
 * Every non-ASCII UTF-16 unit outside those two literals becomes `\uXXXX`, which means the same
 * in a comment, a string and an identifier. A regular expression's `source` and a tagged
 * template's raw text would show the escape, so the characters stay there, and the loader falls
 * back to UTF-8 for that file: write such characters escaped in our sources (as
 * modules/timedrift/params.ts does); the build warns when a bundle keeps any.
 */
import { createRequire } from 'node:module';

const NON_ASCII = /[\u0080-\uffff]/g;

/**
 * @param {string} source JavaScript
 * @returns {{ text: string; kept: number }} the escaped source, and how many non-ASCII units
 *   it keeps because they are in a regular expression or a tagged template
 */
export function escapeNonAscii(source) {
  if (source.search(NON_ASCII) < 0) return { text: source, kept: 0 };
  const raw = literalRanges(source);
  let kept = 0;
  const text = source.replace(NON_ASCII, (unit, offset) => {
    if (raw.some(([start, end]) => offset >= start && offset < end)) {
      kept += 1;
      return unit;
    }
    return `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return { text, kept };
}

/**
 * Where the regular expression literals and the templates whose raw text a tag sees are: only
 * a parser tells a slash or a backtick there from one in a comment or a string. TypeScript is
 * what the build compiles with; parsing the CLI bundle takes it about 0.7 s, and only a file
 * that has characters to escape is parsed.
 * @param {string} source
 * @returns {Array<[number, number]>}
 */
function literalRanges(source) {
  /** @type {typeof import('typescript')} */
  const ts = createRequire(import.meta.url)('typescript');
  const file = ts.createSourceFile('bundle.js', source, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  /** @type {Array<[number, number]>} */
  const ranges = [];
  /** @param {import('typescript').Node} node */
  const visit = (node) => {
    if (ts.isTaggedTemplateExpression(node)) ranges.push([node.template.getStart(file), node.template.end]);
    else if (ts.isRegularExpressionLiteral(node)) ranges.push([node.getStart(file), node.end]);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return ranges;
}
