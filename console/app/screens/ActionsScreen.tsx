import { useActions } from '../../hooks/use-actions.js';
import { useTheme } from '../../hooks/use-theme.js';
import { ActionsView } from '../../views/ActionsView.js';

/** Connects the actions view to its hook. */
export function ActionsScreen() {
  const model = useActions();
  const theme = useTheme();
  return <ActionsView model={model} theme={theme} />;
}
