import { Text } from 'ink';
import type { Theme } from './theme.js';

export interface ConfirmLineProps {
  message: string;
  theme: Theme;
}

export function ConfirmLine({ message, theme }: ConfirmLineProps) {
  return (
    <Text wrap="truncate-end">
      <Text bold color={theme.danger}>
        {message}
      </Text>
      {'  (y/n)'}
    </Text>
  );
}
