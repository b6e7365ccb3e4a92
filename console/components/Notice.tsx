import { Text } from 'ink';

export interface NoticeProps {
  text: string | undefined;
}

/** Loading or load-error line a view shows above its table. */
export function Notice({ text }: NoticeProps) {
  return text === undefined ? null : (
    <Text dimColor wrap="truncate-end">
      {text}
    </Text>
  );
}
