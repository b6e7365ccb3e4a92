import { useInvestigators } from '../../hooks/use-investigators.js';
import { useTheme } from '../../hooks/use-theme.js';
import { InvestigatorsView } from '../../views/InvestigatorsView.js';

/** Connects the investigators view to its hook. */
export function InvestigatorsScreen() {
  const model = useInvestigators();
  const theme = useTheme();
  return <InvestigatorsView model={model} theme={theme} />;
}
