// Types of prompt-exit.js (plain JavaScript, like cli-bundle.js: bin/mig.js runs it before anything is compiled).
export interface ProcessState {
  resources: readonly string[];
  beforeExitListeners: number;
  stdout: { writableLength: number };
  stderr: { writableLength: number };
}
export declare function canExitNow(state: ProcessState): boolean;
export declare function exitPromptly(code: number): void;
