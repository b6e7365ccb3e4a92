import { Box, Text } from 'ink';
import type { Line } from '../state/models/command-model.js';
import type { Theme } from './theme.js';

// Alike on purpose (duplicates): one component a file, each a thin map of its props (STYLE 2.5);
// components share their skeleton, not logic.
export interface LineListProps {
  lines: readonly Line[];
  theme: Theme;
}

export function LineList({ lines, theme }: LineListProps) {
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => (
        <Text key={i} color={theme.tone[line.tone]} dimColor={line.tone === 'dim'} wrap="truncate-end">
          {line.text}
        </Text>
      ))}
    </Box>
  );
}
