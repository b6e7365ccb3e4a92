import { Box, Text } from 'ink';
import type { ApprovalPanelModel } from '../state/models/approval-model.js';
import type { Theme } from './theme.js';

export interface ApprovalPanelProps {
  model: ApprovalPanelModel;
  theme: Theme;
}

/** An action waiting for a second investigator: who signed, how to approve, and the exact JSON. */
export function ApprovalPanel({ model, theme }: ApprovalPanelProps) {
  return (
    <Box flexDirection="column">
      <Text bold color={theme.tone.warn} wrap="truncate-end">
        {model.summary}
      </Text>
      <Text wrap="truncate-end">
        {model.signedBy}
        <Text dimColor>{`  lines ${model.position}`}</Text>
      </Text>
      <Text
        bold={model.hintTone === 'error'}
        color={theme.tone[model.hintTone]}
        dimColor={model.hintTone === 'dim'}
        wrap="truncate-end"
      >
        {model.hint}
      </Text>
      {model.lines.map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {line}
        </Text>
      ))}
    </Box>
  );
}
