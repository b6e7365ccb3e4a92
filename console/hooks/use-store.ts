import { useSyncExternalStore } from 'react';
import type { ReadableStore } from '../state/store.js';

/** A plain store as React state, tear-free (useSyncExternalStore). */
export function useStore<S>(store: ReadableStore<S>): S {
  return useSyncExternalStore(store.subscribe, store.getState, store.getState);
}
