/** The agent's injected logger: library code never writes to the console itself. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFn = (level: LogLevel, message: string) => void;

/** Discards everything: the default for tests and library callers that pass no logger. */
export const silentLog: LogFn = () => undefined;

/** Prefixes every message with a layer name, so one log shows which part of the agent spoke. */
export function scopedLog(log: LogFn, scope: string): LogFn {
  return (level, message) => log(level, `${scope}: ${message}`);
}
