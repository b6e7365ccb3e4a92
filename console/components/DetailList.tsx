import { Box, Text } from 'ink';
import type { DetailLine } from '../state/models/agent-model.js';

export interface DetailListProps {
  details: readonly DetailLine[];
}

export function DetailList({ details }: DetailListProps) {
  return (
    <Box flexDirection="column">
      {details.map((d) => (
        <Text key={d.label} wrap="truncate-end">
          <Text bold>{d.label.padEnd(10)}</Text>
          {d.value}
        </Text>
      ))}
    </Box>
  );
}
