import { Text } from 'ink';
import type { Theme } from './theme.js';

export interface ChoiceLineProps {
  label: string;
  choices: readonly { key: string; label: string }[];
  theme: Theme;
}

export function ChoiceLine({ label, choices, theme }: ChoiceLineProps) {
  return (
    <Text wrap="truncate-end">
      {`${label}: `}
      {choices.map((c) => (
        <Text key={c.key}>
          <Text bold color={theme.brand}>
            {c.key}
          </Text>
          {` ${c.label}  `}
        </Text>
      ))}
      <Text dimColor>{'<esc> cancel'}</Text>
    </Text>
  );
}
