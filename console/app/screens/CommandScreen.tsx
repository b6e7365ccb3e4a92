import { useCommand } from '../../hooks/use-command.js';
import { useTheme } from '../../hooks/use-theme.js';
import { CommandView } from '../../views/CommandView.js';

/** Connects the command view to its hook. */
export function CommandScreen() {
  const model = useCommand();
  const theme = useTheme();
  return model === undefined ? null : <CommandView model={model} theme={theme} />;
}
