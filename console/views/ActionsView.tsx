import { Box } from 'ink';
import { Notice } from '../components/Notice.js';
import { Table } from '../components/Table.js';
import type { Theme } from '../components/theme.js';
import { Title } from '../components/Title.js';
import type { ActionsViewModel } from '../state/models/actions-model.js';

export interface ActionsViewProps {
  model: ActionsViewModel;
  theme: Theme;
}

export function ActionsView({ model, theme }: ActionsViewProps) {
  return (
    <Box flexDirection="column">
      <Title
        text={model.title}
        theme={theme}
        {...(model.alert === undefined ? {} : { suffix: model.alert, suffixColor: theme.tone.warn })}
      />
      {model.notice === undefined ? <Table model={model.table} theme={theme} /> : <Notice text={model.notice} />}
    </Box>
  );
}
