import { useInvestigation } from '../../hooks/use-investigation.js';
import { useTheme } from '../../hooks/use-theme.js';
import { ActionView } from '../../views/ActionView.js';

/** Connects the action view to its hook. */
export function ActionScreen({ width }: { width: number }) {
  const model = useInvestigation();
  const theme = useTheme();
  return model === undefined ? null : <ActionView model={model} width={width} theme={theme} />;
}
