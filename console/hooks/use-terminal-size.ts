import { useStdout } from 'ink';
import { useEffect, useState } from 'react';
import type { TerminalSize } from '../state/ui-state.js';

function read(stdout: NodeJS.WriteStream): TerminalSize {
  // Not a TTY (pipes, CI): columns/rows are undefined; lay out for a classic 80x24.
  return { columns: stdout.columns || 80, rows: stdout.rows || 24 };
}

/** The terminal's size, updated on resize. */
export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => read(stdout));
  useEffect(() => {
    const onResize = (): void => setSize(read(stdout));
    stdout.on('resize', onResize);
    onResize();
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
