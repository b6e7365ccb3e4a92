import { Box } from 'ink';
import type { FooterModel } from '../state/models/chrome-model.js';
import { ChoiceLine } from './ChoiceLine.js';
import { ConfirmLine } from './ConfirmLine.js';
import { FlashLine } from './FlashLine.js';
import { InputLine } from './InputLine.js';
import { KeyHints } from './KeyHints.js';
import type { Theme } from './theme.js';

export interface FooterProps {
  model: FooterModel;
  theme: Theme;
}

/** Two lines: the keys of this view (or the prompt that has the keyboard), then the flash line. */
export function Footer({ model, theme }: FooterProps) {
  const line = model.line;
  return (
    <Box flexDirection="column">
      {line.kind === 'keys' ? <KeyHints keys={line.keys} theme={theme} /> : null}
      {line.kind === 'input' ? (
        <InputLine prefix={line.prefix} text={line.text} note={line.note} isError={line.isError} theme={theme} />
      ) : null}
      {line.kind === 'confirm' ? <ConfirmLine message={line.message} theme={theme} /> : null}
      {line.kind === 'choice' ? <ChoiceLine label={line.label} choices={line.choices} theme={theme} /> : null}
      <FlashLine flash={model.flash} theme={theme} />
    </Box>
  );
}
