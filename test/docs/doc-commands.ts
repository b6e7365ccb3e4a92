import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The `mig ...` commands the user documentation shows: every line of a fenced code block in
 * README.md and doc/*.md that starts with `mig ` (after an optional `$ ` prompt), with `\`
 * continuations joined, a trailing `# comment` and a trailing `&` removed.
 */

export interface DocCommand {
  /** `doc/quickstart.md:33` */
  where: string;
  command: string;
  /** It ended in `&`: the docs start it in the background. */
  isBackground: boolean;
}

export function docFiles(repo: string): string[] {
  const docs = readdirSync(join(repo, 'doc'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => join('doc', name));
  return ['README.md', ...docs];
}

export function extractCommands(repo: string): DocCommand[] {
  const found: DocCommand[] = [];
  for (const file of docFiles(repo)) {
    const lines = readFileSync(join(repo, file), 'utf8').split('\n');
    let isInBlock = false;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] ?? '';
      if (line.trim().startsWith('```')) {
        isInBlock = !isInBlock;
        continue;
      }
      let text = line.trim().replace(/^\$ /, '');
      if (!isInBlock || !text.startsWith('mig ')) continue;
      const start = i;
      while (text.endsWith('\\') && i + 1 < lines.length)
        text = `${text.slice(0, -1).trimEnd()} ${(lines[++i] ?? '').trim()}`;
      const bare = withoutComment(text);
      const isBackground = bare.endsWith('&');
      found.push({
        where: `${file}:${start + 1}`,
        command: isBackground ? bare.slice(0, -1).trimEnd() : bare,
        isBackground,
      });
    }
  }
  return found;
}

/** Drops a `#` comment that starts after whitespace outside quotes (a `#` in a regex stays). */
export function withoutComment(text: string): string {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"') i++;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '\\') i++;
    else if (ch === '#' && i > 0 && /\s/.test(text[i - 1] ?? '')) return text.slice(0, i).trimEnd();
  }
  return text.trimEnd();
}
