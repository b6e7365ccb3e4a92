import { Text } from 'ink';
import type { Theme } from './theme.js';

export interface TitleProps {
  text: string;
  theme: Theme;
  /** Right after the title, e.g. a status. */
  suffix?: string;
  suffixColor?: string | undefined;
}

export function Title({ text, theme, suffix, suffixColor }: TitleProps) {
  return (
    <Text wrap="truncate-end">
      <Text bold color={theme.brand}>
        {text}
      </Text>
      {suffix === undefined ? null : <Text color={suffixColor}>{`  ${suffix}`}</Text>}
    </Text>
  );
}
