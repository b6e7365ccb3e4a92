// Types of code-cache.js (plain JavaScript, like dist-state.js: scripts/build.mjs and the CLI bundle use it).
export type CacheState = 'accepted' | 'rejected' | 'absent';
export declare function cacheFileFor(file: string): string;
export declare function loadCommonJs(file: string): { exports: Record<string, unknown>; cache: CacheState };
