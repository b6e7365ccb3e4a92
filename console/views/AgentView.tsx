import { Box } from 'ink';
import { DetailList } from '../components/DetailList.js';
import { Table } from '../components/Table.js';
import type { Theme } from '../components/theme.js';
import { Title } from '../components/Title.js';
import type { AgentViewModel } from '../state/models/agent-model.js';

// Alike on purpose (duplicates): one view a file (STYLE 2.5), each a thin map of its own model's
// props under a Title; views share their skeleton, not logic.
export interface AgentViewProps {
  model: AgentViewModel;
  theme: Theme;
}

export function AgentView({ model, theme }: AgentViewProps) {
  return (
    <Box flexDirection="column">
      <Title text={model.title} theme={theme} />
      <DetailList details={model.details} />
      <Table model={model.table} theme={theme} />
    </Box>
  );
}
