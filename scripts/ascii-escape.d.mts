// Types of ascii-escape.mjs (plain JavaScript: scripts/build.mjs runs it before anything is compiled).
export declare function escapeNonAscii(source: string): { text: string; kept: number };
