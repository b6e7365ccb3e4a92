import { Text } from 'ink';
import type { Theme } from './theme.js';

export interface FlashLineProps {
  flash: { text: string; isError: boolean } | undefined;
  theme: Theme;
}

/** Notices and errors: one line, message and hint only. Always drawn so the layout never jumps. */
export function FlashLine({ flash, theme }: FlashLineProps) {
  if (flash === undefined) return <Text> </Text>;
  return (
    <Text wrap="truncate-end" color={flash.isError ? theme.tone.error : theme.tone.accent}>
      {flash.isError ? `error: ${flash.text}` : flash.text}
    </Text>
  );
}
