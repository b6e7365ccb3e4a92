/** Characters a POSIX shell passes through unquoted. */
const PLAIN = /^[A-Za-z0-9_./:=@%+,-]+$/;

/**
 * Quotes one argument for a POSIX shell, the way a person would type it: bare when safe,
 * "double quotes" around SQL-ish targets full of single quotes, 'single quotes' otherwise.
 * In double quotes `!` is left alone only before `=`, where bash does no history expansion.
 */
export function shellQuote(arg: string): string {
  if (PLAIN.test(arg)) return arg;
  if (arg.includes("'") && !/["$`\\]|!(?!=)/.test(arg)) return `"${arg}"`;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

export function shellLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
