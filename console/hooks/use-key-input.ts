import { useInput, useStdin, type Key } from 'ink';
import { useCallback } from 'react';
import { toKeyEvent } from '../state/keys.js';
import { useConsole } from './use-console.js';

/**
 * Forwards every key to the controller. Inactive without a raw-mode TTY (pipes, CI), where
 * ink's useInput would throw.
 */
export function useKeyInput(): void {
  const ctl = useConsole();
  const { isRawModeSupported } = useStdin();
  const onInput = useCallback((input: string, key: Key) => ctl.handleKey(toKeyEvent(input, key)), [ctl]);
  useInput(onInput, { isActive: isRawModeSupported });
}
