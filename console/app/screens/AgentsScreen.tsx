import { useAgents } from '../../hooks/use-agents.js';
import { useTheme } from '../../hooks/use-theme.js';
import { AgentsView } from '../../views/AgentsView.js';

/** Connects the agents view to its hook. */
export function AgentsScreen() {
  const model = useAgents();
  const theme = useTheme();
  return <AgentsView model={model} theme={theme} />;
}
