import { useLauncher } from '../../hooks/use-launcher.js';
import { useTheme } from '../../hooks/use-theme.js';
import { LauncherView } from '../../views/LauncherView.js';

/** Connects the launcher view to its hook. */
export function LauncherScreen() {
  const model = useLauncher();
  const theme = useTheme();
  return <LauncherView model={model} theme={theme} />;
}
