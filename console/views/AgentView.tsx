import { Box } from 'ink';
import { DetailList } from '../components/DetailList.js';
import { Table } from '../components/Table.js';
import type { Theme } from '../components/theme.js';
import { Title } from '../components/Title.js';
import type { AgentViewModel } from '../state/models/agent-model.js';

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
