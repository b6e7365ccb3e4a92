import { Box, Text } from 'ink';
import type { TableModel } from '../state/models/table-model.js';
import { fit } from '../state/text.js';
import type { Theme } from './theme.js';

export interface TableProps {
  model: TableModel;
  theme: Theme;
}

/** A virtualized table: it draws exactly the rows it is given, the cursor row in inverse. */
export function Table({ model, theme }: TableProps) {
  const header = model.columns.map((c) => fit(c.header, c.width, c.align)).join(' ');
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {header}
      </Text>
      {model.rows.length === 0 ? (
        <Text dimColor>{model.emptyText}</Text>
      ) : (
        model.rows.map((row, i) => (
          <Text key={row.key} inverse={i === model.cursorRow} wrap="truncate-end">
            {row.cells.map((cell, j) => {
              const col = model.columns[j];
              const text = fit(cell.text, col?.width ?? 0, col?.align) + (j < row.cells.length - 1 ? ' ' : '');
              return (
                <Text key={col?.key ?? j} color={theme.tone[cell.tone]} dimColor={cell.tone === 'dim'}>
                  {text}
                </Text>
              );
            })}
          </Text>
        ))
      )}
    </Box>
  );
}
