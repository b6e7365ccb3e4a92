import { Text } from 'ink';
import type { Theme } from './theme.js';

export interface InputLineProps {
  prefix: string;
  text: string;
  note: string;
  isError: boolean;
  theme: Theme;
}

/** A one-line prompt (`:`, `/`, a path) with its live note: match count or parse error. */
export function InputLine({ prefix, text, note, isError, theme }: InputLineProps) {
  return (
    <Text wrap="truncate-end">
      <Text bold color={theme.brand}>
        {prefix}
      </Text>
      {`${text}▏  `}
      <Text color={isError ? theme.tone.error : undefined} dimColor={!isError}>
        {note}
      </Text>
    </Text>
  );
}
