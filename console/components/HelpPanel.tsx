import { Box, Text } from 'ink';
import type { HelpModel } from '../state/models/help-model.js';
import type { Theme } from './theme.js';

export interface HelpPanelProps {
  model: HelpModel;
  theme: Theme;
}

/** Generated from the keymap; dangerous commands are flagged in words as well as color. */
export function HelpPanel({ model, theme }: HelpPanelProps) {
  return (
    <Box flexDirection="column">
      <Text bold color={theme.brand} wrap="truncate-end">
        {model.title}
      </Text>
      {model.lines.map((line, i) =>
        line.kind === 'title' ? (
          <Text key={i} bold wrap="truncate-end">
            {line.text}
          </Text>
        ) : (
          <Text key={i} wrap="truncate-end">
            {`  ${line.keys.padEnd(12)} `}
            <Text color={line.isDangerous ? theme.danger : undefined}>{line.text}</Text>
          </Text>
        ),
      )}
    </Box>
  );
}
