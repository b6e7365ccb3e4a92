import { useConsole } from '../hooks/use-console.js';
import { useStore } from '../hooks/use-store.js';
import { topEntry } from '../state/nav.js';
import { ActionScreen } from './screens/ActionScreen.js';
import { ActionsScreen } from './screens/ActionsScreen.js';
import { AgentScreen } from './screens/AgentScreen.js';
import { AgentsScreen } from './screens/AgentsScreen.js';
import { CommandScreen } from './screens/CommandScreen.js';
import { InvestigatorsScreen } from './screens/InvestigatorsScreen.js';
import { LauncherScreen } from './screens/LauncherScreen.js';

/** The view on top of the navigation stack. */
export function ViewRouter({ width }: { width: number }) {
  const ui = useStore(useConsole().stores.ui);
  // Alike on purpose (duplicates): one case a view kind, each rendering its own screen; cases share
  // their shape, not logic.
  switch (topEntry(ui.nav).view.kind) {
    case 'agents':
      return <AgentsScreen />;
    case 'agent':
      return <AgentScreen />;
    case 'actions':
      return <ActionsScreen />;
    case 'action':
      return <ActionScreen width={width} />;
    case 'command':
      return <CommandScreen />;
    case 'launcher':
      return <LauncherScreen />;
    case 'investigators':
      return <InvestigatorsScreen />;
  }
}
