// @ts-check
/**
 * Ends `mig`'s process as soon as its command is done, when nothing is left to wait for.
 *
 * After the last callback, Node does not exit at once: it first lets V8 finish its background
 * work (optimizing-compiler jobs for functions that just got hot, the concurrent marking of a
 * collection) for code and memory the process will never use. On a hunt listing 138 files that
 * wait was ~10 ms of ~95 (doc/performance.md, "Start-up, session 12"). `process.exit` skips it.
 *
 * Only when that cannot lose anything: no listener for 'beforeExit' (which process.exit skips),
 * nothing buffered in stdout or stderr, and no resource but the standard streams' own handles
 * and closes in flight (a file descriptor left to close is closed by the kernel at exit). A
 * write, a timer, a socket, a child process or a worker still going means the natural end, as
 * before: a server or an agent, whose work goes on after main() returns, is never cut short.
 */

/** Resources that hold nothing a command still owes (the names of process.getActiveResourcesInfo()). */
const IDLE_RESOURCES = new Set(['TTYWrap', 'PipeWrap', 'CloseReq']);

/**
 * @typedef {{ writableLength: number }} Stream
 * @typedef {{ resources: readonly string[]; beforeExitListeners: number; stdout: Stream; stderr: Stream }} ProcessState
 */

/**
 * @param {ProcessState} state
 * @returns {boolean} true when exiting now loses nothing
 */
export function canExitNow(state) {
  return (
    state.beforeExitListeners === 0 &&
    state.stdout.writableLength === 0 &&
    state.stderr.writableLength === 0 &&
    state.resources.every((name) => IDLE_RESOURCES.has(name))
  );
}

/**
 * Sets the exit code, and exits now when canExitNow says it loses nothing.
 * @param {number} code
 */
export function exitPromptly(code) {
  process.exitCode = code;
  const state = {
    resources: process.getActiveResourcesInfo(),
    beforeExitListeners: process.listenerCount('beforeExit'),
    stdout: process.stdout,
    stderr: process.stderr,
  };
  if (canExitNow(state)) process.exit(code);
}
