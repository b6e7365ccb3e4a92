import { Text } from 'ink';
import type { CounterModel } from '../state/models/action-model.js';
import type { Theme } from './theme.js';

export interface CounterLineProps {
  counters: readonly CounterModel[];
  suffix: string;
  theme: Theme;
}

export function CounterLine({ counters, suffix, theme }: CounterLineProps) {
  return (
    <Text wrap="truncate-end">
      {/* The filter first: the counters may run past a narrow terminal, it must not. */}
      <Text bold>{`${suffix}  `}</Text>
      {counters.map((c) => (
        <Text key={c.label} color={c.value === 0 ? undefined : theme.tone[c.tone]}>{`${c.label} ${c.value}  `}</Text>
      ))}
    </Text>
  );
}
