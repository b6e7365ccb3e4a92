import { useAgent } from '../../hooks/use-agent.js';
import { useTheme } from '../../hooks/use-theme.js';
import { AgentView } from '../../views/AgentView.js';

/** Connects the agent view to its hook. */
export function AgentScreen() {
  const model = useAgent();
  const theme = useTheme();
  return model === undefined ? null : <AgentView model={model} theme={theme} />;
}
