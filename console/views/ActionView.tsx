import { Box } from 'ink';
import { ApprovalPanel } from '../components/ApprovalPanel.js';
import { CounterLine } from '../components/CounterLine.js';
import { Notice } from '../components/Notice.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { Table } from '../components/Table.js';
import type { Theme } from '../components/theme.js';
import { Title } from '../components/Title.js';
import type { ActionViewModel } from '../state/models/action-model.js';

export interface ActionViewProps {
  model: ActionViewModel;
  width: number;
  theme: Theme;
}

/** Live progress, counters per status, and the results streaming into a table. */
export function ActionView({ model, width, theme }: ActionViewProps) {
  if (model.approval !== undefined) {
    return (
      <Box flexDirection="column">
        <Title text={model.title} theme={theme} suffix={model.status} suffixColor={theme.tone[model.statusTone]} />
        <ApprovalPanel model={model.approval} theme={theme} />
      </Box>
    );
  }
  return (
    <Box flexDirection="column">
      <Title text={model.title} theme={theme} suffix={model.status} suffixColor={theme.tone[model.statusTone]} />
      <ProgressBar ratio={model.ratio} width={width} label={model.progressText} theme={theme} />
      <CounterLine counters={model.counters} suffix={`[${model.found}]`} theme={theme} />
      {model.notice === undefined ? <Table model={model.table} theme={theme} /> : <Notice text={model.notice} />}
    </Box>
  );
}
