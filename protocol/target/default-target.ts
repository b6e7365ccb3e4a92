/**
 * The target when an investigator names none (CLI hunts, `mig ioc`, the console launcher, runner
 * jobs, POST /ioc): MIG required one; we default to every agent online now, and say so.
 */
export const DEFAULT_TARGET = "status = 'online'";
