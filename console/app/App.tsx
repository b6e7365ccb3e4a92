import { useEffect, useMemo, useState } from 'react';
import { moduleSpecs } from '../../modules/registry.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { ThemeContext, createTheme, isColorWanted } from '../components/theme.js';
import { ConsoleContext } from '../hooks/use-console.js';
import type { ConsoleBackend } from '../state/backend.js';
import type { ControllerTuning } from '../state/controller-api.js';
import type { FleetOnQuit } from '../state/intents.js';
import { ConsoleController } from '../state/controller.js';
import type { Scheduler } from '../state/scheduler.js';
import { Shell } from './Shell.js';

export interface AppProps {
  backend: ConsoleBackend;
  /** Look, don't touch: dangerous and mutating commands are not bound at all. */
  readOnly?: boolean;
  /** Module specs for the launcher and result columns; the registry by default. */
  modules?: ReadonlyMap<string, AnyModuleSpec>;
  /** Colors on or off; by default off when NO_COLOR is set. */
  isColor?: boolean;
  /** Tests drive the clock and timers through this. */
  scheduler?: Scheduler;
  tuning?: Partial<ControllerTuning>;
  /** Told, as the console closes, what the person chose for a server it started (see ConsoleBackend.embeddedFleet). */
  onQuit?: (fleet: FleetOnQuit | undefined) => void;
}

/** The investigation console. Talks to the server only through `backend`. */
export function App({
  backend,
  readOnly = false,
  modules = moduleSpecs,
  isColor,
  scheduler,
  tuning,
  onQuit,
}: AppProps) {
  const [ctl] = useState(
    () =>
      new ConsoleController({
        backend,
        modules,
        isReadOnly: readOnly,
        ...(scheduler === undefined ? {} : { scheduler }),
        ...(tuning === undefined ? {} : { tuning }),
      }),
  );
  useEffect(() => {
    ctl.start();
    return () => ctl.dispose();
  }, [ctl]);
  const theme = useMemo(() => createTheme(isColor ?? isColorWanted(process.env)), [isColor]);
  return (
    <ConsoleContext.Provider value={ctl}>
      <ThemeContext.Provider value={theme}>
        <Shell {...(onQuit === undefined ? {} : { onQuit })} />
      </ThemeContext.Provider>
    </ConsoleContext.Provider>
  );
}
