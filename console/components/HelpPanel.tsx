import { Box, Text } from 'ink';
import type { HelpSection } from '../state/models/chrome-model.js';
import type { Theme } from './theme.js';

export interface HelpPanelProps {
  sections: readonly HelpSection[];
  theme: Theme;
}

/** Generated from the keymap; dangerous commands are flagged in words as well as color. */
export function HelpPanel({ sections, theme }: HelpPanelProps) {
  return (
    <Box flexDirection="column">
      <Text bold color={theme.brand}>
        Help (Esc closes)
      </Text>
      {sections.map((section) => (
        <Box key={section.title} flexDirection="column" flexShrink={0}>
          <Text bold>{section.title}</Text>
          {section.entries.map((e) => (
            <Text key={`${section.title}${e.keys}`} wrap="truncate-end">
              {`  ${e.keys.padEnd(12)} `}
              <Text color={e.isDangerous ? theme.danger : undefined}>{`${e.description}${e.isDangerous ? ' (asks y/n)' : ''}`}</Text>
            </Text>
          ))}
        </Box>
      ))}
    </Box>
  );
}
