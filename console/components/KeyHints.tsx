import { Text } from 'ink';
import type { KeyHint } from '../state/models/chrome-model.js';
import type { Theme } from './theme.js';

// Alike on purpose (duplicates): one component a file, each a thin map of its props (STYLE 2.5);
// components share their skeleton, not logic.
export interface KeyHintsProps {
  keys: readonly KeyHint[];
  theme: Theme;
}

/** `<enter> open  / filter  c cancel!`: dangerous keys are marked, in words as well as color. */
export function KeyHints({ keys, theme }: KeyHintsProps) {
  return (
    <Text wrap="truncate-end">
      {keys.map((k) => (
        <Text key={`${k.key}${k.label}`}>
          <Text bold color={k.isDangerous ? theme.danger : theme.brand}>
            {k.key}
          </Text>
          {` ${k.label}${k.isDangerous ? '!' : ''}  `}
        </Text>
      ))}
    </Text>
  );
}
