import { Box, Text } from 'ink';
import type { HeaderModel } from '../state/models/chrome-model.js';
import type { Theme } from './theme.js';

export interface HeaderProps {
  model: HeaderModel;
  theme: Theme;
}

/** Two lines: where and who; the fleet, actions in flight and the clock. */
export function Header({ model, theme }: HeaderProps) {
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold color={theme.brand}>
          MIG
        </Text>
        {`  ${model.server}  ${model.investigator}`}
        {model.isReadOnly ? <Text color={theme.tone.warn}>{'  read-only'}</Text> : null}
      </Text>
      <Text wrap="truncate-end">
        <Text color={theme.tone.ok}>{`${model.online} online`}</Text>
        {'  '}
        <Text color={theme.tone.warn}>{`${model.idle} idle`}</Text>
        {'  '}
        <Text dimColor>{`${model.offline} offline`}</Text>
        {`  ${model.inFlight} in flight  ${model.clock}`}
        {model.awaitingApproval > 0 ? (
          <Text color={theme.tone.warn} bold>
            {`  ${model.awaitingApproval} awaiting approval`}
          </Text>
        ) : null}
        {model.isReconnecting ? (
          <Text color={theme.tone.error} bold>
            {'  reconnecting…'}
          </Text>
        ) : null}
      </Text>
    </Box>
  );
}
