// Types of cli-bundle.js (plain JavaScript: bin/mig.js runs it before anything is compiled).
export declare function cliBundleFor(
  command: string | undefined,
  env: Record<string, string | undefined>,
  features: { require_module?: boolean },
): 'commonjs' | 'esm';
export declare function commonJsFileFor(command: string | undefined): string;
