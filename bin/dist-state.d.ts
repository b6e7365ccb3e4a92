// Types of dist-state.js (plain JavaScript: bin/mig.js runs it before anything is compiled).
export declare const REPO_ROOT: string;
export declare const SOURCE_DIRS: readonly string[];
export declare const STAMP: string;
export declare const SOURCE_LIST: string;
export declare const OVERVIEW_HELP: string;
export declare const CLI_COMMONJS: string;
export declare const INVESTIGATOR_COMMONJS: string;
export declare function buildInputs(root?: string): string[];
export declare function distIsFresh(root?: string): boolean;
