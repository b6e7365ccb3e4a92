import { Text } from 'ink';
import type { Theme } from './theme.js';

export interface ProgressBarProps {
  /** 0..1 */
  ratio: number;
  width: number;
  label: string;
  theme: Theme;
}

/** `████████░░░░  12/40 done`: block characters, so it reads without color too. */
export function ProgressBar({ ratio, width, label, theme }: ProgressBarProps) {
  const barWidth = Math.max(10, width - label.length - 2);
  const done = Math.round(Math.min(1, Math.max(0, ratio)) * barWidth);
  return (
    <Text wrap="truncate-end">
      <Text color={theme.barDone}>{'█'.repeat(done)}</Text>
      <Text color={theme.barLeft}>{'░'.repeat(barWidth - done)}</Text>
      {`  ${label}`}
    </Text>
  );
}
