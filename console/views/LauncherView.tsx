import { Box, Text } from 'ink';
import { FormRow } from '../components/FormRow.js';
import type { Theme } from '../components/theme.js';
import { Title } from '../components/Title.js';
import type { LauncherViewModel } from '../state/models/launcher-model.js';

// Alike on purpose (duplicates): one view a file (STYLE 2.5), each a thin map of its own model's
// props under a Title; views share their skeleton, not logic.
export interface LauncherViewProps {
  model: LauncherViewModel;
  theme: Theme;
}

/** The form (or, with p, the exact action JSON), the focused field's help, and the launch status. */
export function LauncherView({ model, theme }: LauncherViewProps) {
  return (
    <Box flexDirection="column">
      <Title text={model.title} theme={theme} />
      {model.iocLines.map((line, i) => (
        <Text key={`ioc-${i}`} color={i === 0 ? theme.tone.accent : theme.tone.warn} wrap="truncate-end">
          {line}
        </Text>
      ))}
      {model.preview === undefined ? (
        model.rows.map((row) => <FormRow key={row.id} row={row} theme={theme} />)
      ) : (
        <Box flexDirection="column">
          {model.preview.map((line, i) => (
            <Text key={i} wrap="truncate-end">
              {line}
            </Text>
          ))}
        </Box>
      )}
      <Text dimColor wrap="truncate-end">
        {model.help === '' ? ' ' : model.help}
      </Text>
      <Text color={theme.tone[model.statusTone]} dimColor={model.statusTone === 'dim'} wrap="truncate-end">
        {model.status}
      </Text>
    </Box>
  );
}
