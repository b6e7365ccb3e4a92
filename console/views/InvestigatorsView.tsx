import { Box } from 'ink';
import { Notice } from '../components/Notice.js';
import { Table } from '../components/Table.js';
import type { Theme } from '../components/theme.js';
import { Title } from '../components/Title.js';
import type { InvestigatorsViewModel } from '../state/models/investigators-model.js';

// Alike on purpose (duplicates): one view a file (STYLE 2.5), each a thin map of its own model's
// props under a Title; views share their skeleton, not logic.
export interface InvestigatorsViewProps {
  model: InvestigatorsViewModel;
  theme: Theme;
}

export function InvestigatorsView({ model, theme }: InvestigatorsViewProps) {
  return (
    <Box flexDirection="column">
      <Title text={model.title} theme={theme} />
      {model.notice === undefined ? <Table model={model.table} theme={theme} /> : <Notice text={model.notice} />}
    </Box>
  );
}
