/**
 * The navigation stack (k9s `model/stack.go`): Enter pushes a view, Esc pops it, `:name` jumps
 * to a root view. Each entry keeps its own cursor, filter and sort, so going back lands where
 * you left.
 */
export type ViewRef =
  | { kind: 'agents' }
  | { kind: 'agent'; agentId: string }
  /** `isPendingOnly`: only the actions waiting for a second investigator (`:pending`). */
  | { kind: 'actions'; isPendingOnly?: boolean }
  | { kind: 'action'; actionId: string }
  /** One agent's answer; `row` (from the action view) picks the result row shown whole on top. */
  | { kind: 'command'; actionId: string; commandId: string; row?: RowRef }
  | { kind: 'launcher' }
  | { kind: 'investigators' };

export type ViewKind = ViewRef['kind'];

/** A result row of a command: operation index, then row index within it. */
export interface RowRef {
  operation: number;
  index: number;
}

/** Which result rows the action view shows. */
export type FoundFilter = 'all' | 'found' | 'notfound';

export interface NavEntry {
  view: ViewRef;
  cursor: number;
  /** First visible row of the entry's table. */
  offset: number;
  /** The applied `/` filter (a target expression on the agents view, plain text elsewhere). */
  filter: string;
  sortColumn: number;
  isSortDescending: boolean;
  found: FoundFilter;
  /** Wide mode only: the first column shown (←/→ scroll the table sideways). */
  firstColumn: number;
}

export interface NavState {
  /** Never empty: the bottom entry is the root view. */
  stack: readonly NavEntry[];
}

/** Views `:name` can jump to, by the names people type. */
export const ROOT_VIEWS: Readonly<Record<string, ViewRef>> = {
  agents: { kind: 'agents' },
  actions: { kind: 'actions' },
  launch: { kind: 'launcher' },
  investigators: { kind: 'investigators' },
  pending: { kind: 'actions', isPendingOnly: true },
};

export function newEntry(view: ViewRef): NavEntry {
  // An action opens on what was found: that is the answer to the hunt; `f` shows the rest.
  const found: FoundFilter = view.kind === 'action' ? 'found' : 'all';
  return { view, cursor: 0, offset: 0, filter: '', sortColumn: 0, isSortDescending: false, found, firstColumn: 0 };
}

export function initialNav(view: ViewRef = { kind: 'agents' }): NavState {
  return { stack: [newEntry(view)] };
}

export function topEntry(nav: NavState): NavEntry {
  const top = nav.stack[nav.stack.length - 1];
  // The stack is never empty by construction (pop keeps the root).
  if (top === undefined) throw new Error('navigation stack is empty');
  return top;
}

export function push(nav: NavState, view: ViewRef): NavState {
  return { stack: [...nav.stack, newEntry(view)] };
}

/** Pops the top view; the root view stays. */
export function pop(nav: NavState): NavState {
  return nav.stack.length <= 1 ? nav : { stack: nav.stack.slice(0, -1) };
}

export function canPop(nav: NavState): boolean {
  return nav.stack.length > 1;
}

/** `:name`: the named view becomes the only one on the stack. */
export function jump(nav: NavState, view: ViewRef): NavState {
  const top = topEntry(nav);
  if (nav.stack.length === 1 && sameView(top.view, view)) return nav;
  return { stack: [newEntry(view)] };
}

/** Swaps the top view for another (the launcher becomes the action it launched). */
export function replaceTop(nav: NavState, view: ViewRef): NavState {
  return { stack: [...nav.stack.slice(0, -1), newEntry(view)] };
}

export function updateTop(nav: NavState, update: (entry: NavEntry) => NavEntry): NavState {
  const top = topEntry(nav);
  const next = update(top);
  return next === top ? nav : { stack: [...nav.stack.slice(0, -1), next] };
}

export function sameView(a: ViewRef, b: ViewRef): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
