import type { z } from 'zod';

/**
 * A module describes itself once (Velociraptor's args struct + Info()): the CLI flags, the
 * console's launcher form, the agent's validation and doc/modules.md are all derived from it.
 * This file is safe everywhere: it holds no run code. Whether a module changes the endpoint is
 * not said here: protocol/limits.ts RESPONSE_MODULES (isResponseModule) is the one list the agent's
 * default ACL, the server's two-person rule and the console's y/n all read.
 */

export interface ColumnSpec {
  /** Key in a result row. */
  key: string;
  header: string;
  align?: 'left' | 'right';
  /** Shown only in wide layouts. */
  isWide?: boolean;
  /** Value is an ISO time: render relative/short. */
  isTime?: boolean;
  /** Value is a byte count: render 1.2M. */
  isBytes?: boolean;
}

/** Hints only: a flag's name, type and help text come from the described schema field. */
export interface FlagHint {
  /** MIG's flag name when it differs from the field name, e.g. `name` for field `names`. */
  alias?: string;
  isHidden?: boolean;
  /**
   * The parameter this flag sets when the names do not tell (ping's -d sets destination): its
   * help then starts with that parameter's description (modules/shared/param-help.ts), which a
   * test checks.
   */
  param?: string;
}

export interface PrivacySpec {
  /** Result fields allowed to leave the host. The runner drops everything else. defineModule: all of `result`. */
  leaves: readonly string[];
  /** Fields masked when the agent runs in privacy mode. */
  sensitive: readonly string[];
  maxRows: number;
  maxBytes: number;
}

export interface ModuleCli<P extends z.ZodType, F extends z.ZodObject> {
  /** Flat, every field described: flags and form fields are generated from it. */
  schema: F;
  flags: Readonly<Record<string, FlagHint>>;
  /** Method syntax on purpose: keeps specs assignable to AnyModuleSpec. */
  toParams(values: z.output<F>): z.input<P>;
}

export interface ModuleSpec<
  P extends z.ZodType = z.ZodType,
  R extends z.ZodObject = z.ZodObject,
  F extends z.ZodObject = z.ZodObject,
> {
  /** kebab-case, unique: a duplicate throws at registration. */
  name: string;
  version: string;
  summary: string;
  platforms: readonly NodeJS.Platform[];
  /** What travels in the action. Every field `.describe()`d. */
  params: P;
  /** One result row, strict: the runner parses each row through it so nothing undeclared leaks. */
  result: R;
  columns: readonly ColumnSpec[];
  /**
   * The flat, described form the CLI and the launcher form edit, and how it becomes `params`.
   * For flat modules this is `params` itself and `toParams` the identity.
   */
  cli: ModuleCli<P, F>;
  privacy: PrivacySpec;
  limits: { timeoutMs: number };
  /**
   * Run on the agent's own thread instead of a module worker (agent/worker/): only for modules
   * that act on the agent process itself through ctx.agent, which a worker thread cannot hold.
   * Nothing can stop such a module if it blocks, so it must be short and read no untrusted input.
   */
  runsOnAgentThread?: boolean;
  /** Examples for the docs and `--help`: a command line and what it answers. */
  examples: readonly { command: string; explains: string }[];
  /**
   * Whether the operation found what it looked for, given the rows that passed the runner's
   * filter (privacy-masked fields read '***'). Default: at least one row. Modules that answer
   * every time (ping: a row per attempt) say here which rows mean "found". Method syntax on
   * purpose, like toParams.
   */
  isFound?(rows: readonly Record<string, unknown>[]): boolean;
}

/** Context the runner hands a module. The module never sees MQTT, keys or the action. */
export interface ModuleContext {
  signal: AbortSignal;
  /** Overridable filesystem/proc root (Velociraptor's ROOT): '/' on a real endpoint. */
  root: string;
  // Function-typed properties, not methods: modules hand them on detached (`new Backend(ctx.now)`).
  now: () => Date;
  log: (message: string) => void;
  /** A non-fatal problem (unreadable file, walk error): counted and reported, never fatal. */
  warn: (message: string) => void;
  /** Adds to a named statistic reported with the result (files visited, bytes hashed...). */
  count(stat: string, delta?: number): void;
  /**
   * Response modules record every change (and every dry run) here: the agent appends it, with
   * the command, action and signers, to its local append-only response journal. Absent outside
   * an agent (`-t local`, tests): nothing is kept.
   */
  journal?(entry: Record<string, unknown>): void;
  /** The agent this operation runs in; absent outside an agent. Only modules acting on the agent itself use it. */
  agent?: AgentSelf;
  /**
   * What the agent's owner allows this module (agent config `moduleSettings.<module>`, e.g. exec's
   * program allow-list): the module parses it with its own schema. Absent: the module's defaults.
   * Never from the action: signers cannot widen what the host's owner allowed.
   */
  settings?: unknown;
}

/** What a module may know and ask of the agent running it (agentdestroy). */
export interface AgentSelf {
  id: string;
  /** Absolute paths of the agent's own state (id, journals) as they exist now: what destroying removes. */
  stateFiles(): readonly string[];
  /** After this command's result is published: say 'destroyed', remove stateFiles() and stop for good. */
  requestDestroy(): void;
}

export type ModuleRun<P, R> = (params: P, ctx: ModuleContext) => AsyncIterable<R>;

/**
 * What a spec states: its own facts, nothing derived. By default what leaves the host is the
 * strict `result` schema itself (every field of a row, in its order): a separate list of the
 * same names was a second copy to keep in step. `leaves` is named only to hold fields back (a
 * test module does, to check the runner drops them), `sensitive` only when a field is masked.
 */
export type ModuleFacts<P extends z.ZodType, R extends z.ZodObject, F extends z.ZodObject> = Omit<
  ModuleSpec<P, R, F>,
  'privacy'
> & { privacy: Omit<PrivacySpec, 'leaves' | 'sensitive'> & Partial<Pick<PrivacySpec, 'leaves' | 'sensitive'>> };

/**
 * A module's spec from its facts. Specs still share their outline (name, columns, caps,
 * examples): that is the table every module fills in, one row a fact, not logic to merge.
 */
export function defineModule<P extends z.ZodType, R extends z.ZodObject, F extends z.ZodObject>(
  facts: ModuleFacts<P, R, F>,
): ModuleSpec<P, R, F> {
  const { leaves = Object.keys(facts.result.shape), sensitive = [], ...caps } = facts.privacy;
  return { ...facts, privacy: { leaves, sensitive, ...caps } };
}

/** The type-erased spec the registries hold. Every defineModule result is one, without a cast. */
export type AnyModuleSpec = ModuleSpec<z.ZodType, z.ZodObject, z.ZodObject>;

/**
 * The type-erased run function the runner tables hold, called with the parameters as they reach
 * the runner (an accepted operation, a worker's message); the runner parses each row it yields
 * through the spec's result schema. The real tables' functions parse those parameters through
 * their own spec's schema first (registerModule, parsingParams), so each module receives the
 * type it declares. Method syntax on purpose, as toParams: a test's own run function, typed on
 * its parameters, still fits a table (it is handed what its spec parsed, as before).
 */
interface ErasedRun {
  run(params: unknown, ctx: ModuleContext): AsyncIterable<unknown>;
}
export type AnyModuleRun = ErasedRun['run'];

/** One line of a runner table: a module's name and its run function, checked against each other. */
export interface RegisteredRun {
  name: string;
  run: AnyModuleRun;
}

/**
 * `run` behind its spec's params schema. Parsing what the agent already accepted yields the same
 * value (modules/registry.test.ts checks it for every example); it makes the type known here and
 * checks the parameters again where a worker thread receives them. Rows are left to the runner:
 * test modules yield bad ones on purpose.
 */
export function parsingParams<P extends z.ZodType>(
  spec: { params: P },
  run: ModuleRun<z.output<P>, unknown>,
): AnyModuleRun {
  return (params, ctx) => run(spec.params.parse(params), ctx);
}

/**
 * Pairs a spec with its run function, which must take what the spec's params schema yields and
 * yield rows its result schema accepts: a mismatch is a compile error here, where a cast to
 * AnyModuleRun would hide it. The name comes from the spec, so table and spec cannot disagree.
 */
export function registerModule<P extends z.ZodType, R extends z.ZodObject, F extends z.ZodObject>(
  spec: ModuleSpec<P, R, F>,
  run: ModuleRun<z.output<P>, z.input<R>>,
): RegisteredRun {
  return { name: spec.name, run: parsingParams(spec, run) };
}

/** A runner table (module name → run function), a duplicate name refused at load. */
export function runnerTable(registered: readonly RegisteredRun[]): ReadonlyMap<string, AnyModuleRun> {
  return new Map([...indexByName(registered, (r) => r.name, 'run functions')].map(([name, r]) => [name, r.run]));
}

/** A registry table: each entry under its name, a duplicate name refused at load. */
export function indexByName<T>(list: readonly T[], nameOf: (entry: T) => string, what: string): ReadonlyMap<string, T> {
  const map = new Map<string, T>();
  for (const entry of list) {
    if (map.has(nameOf(entry))) throw new Error(`module ${nameOf(entry)} has two ${what}`);
    map.set(nameOf(entry), entry);
  }
  return map;
}
