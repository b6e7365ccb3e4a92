import { Text } from 'ink';
import type { LauncherRowModel } from '../state/models/launcher-model.js';
import type { Theme } from './theme.js';

export interface FormRowProps {
  row: LauncherRowModel;
  theme: Theme;
}

/** `▸ names        passwd, shadow   expected at least 1 value`: label, value, the field's issue. */
export function FormRow({ row, theme }: FormRowProps) {
  return (
    <Text wrap="truncate-end">
      {row.isFocused ? '▸ ' : '  '}
      <Text bold={row.isFocused}>{row.label}</Text>
      {'  '}
      <Text inverse={row.isFocused && !row.isEditing} underline={row.isEditing}>
        {row.value === '' ? ' ' : row.value}
      </Text>
      {row.note === '' ? null : <Text color={theme.tone[row.noteTone]}>{`  ${row.note}`}</Text>}
    </Text>
  );
}
