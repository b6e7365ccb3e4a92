import { Box, Text } from 'ink';
import { LineList } from '../components/LineList.js';
import type { Theme } from '../components/theme.js';
import { Title } from '../components/Title.js';
import type { CommandViewModel } from '../state/models/command-model.js';

// Alike on purpose (duplicates): one view a file (STYLE 2.5), each a thin map of its own model's
// props under a Title; views share their skeleton, not logic.
export interface CommandViewProps {
  model: CommandViewModel;
  theme: Theme;
}

/** One agent's answer to one action: errors, per-operation stats. */
export function CommandView({ model, theme }: CommandViewProps) {
  return (
    <Box flexDirection="column">
      <Title text={model.title} theme={theme} />
      <Text wrap="truncate-end">{model.summary}</Text>
      <LineList lines={model.lines} theme={theme} />
    </Box>
  );
}
