import { Box } from 'ink';
import { Notice } from '../components/Notice.js';
import { Table } from '../components/Table.js';
import type { Theme } from '../components/theme.js';
import { Title } from '../components/Title.js';
import type { AgentsViewModel } from '../state/models/agents-model.js';

// Alike on purpose (duplicates): one view a file (STYLE 2.5), each a thin map of its own model's
// props under a Title; views share their skeleton, not logic.
export interface AgentsViewProps {
  model: AgentsViewModel;
  theme: Theme;
}

export function AgentsView({ model, theme }: AgentsViewProps) {
  return (
    <Box flexDirection="column">
      <Title text={model.title} theme={theme} />
      {model.notice === undefined ? <Table model={model.table} theme={theme} /> : <Notice text={model.notice} />}
    </Box>
  );
}
