import { Box } from 'ink';
import { Footer } from '../components/Footer.js';
import { Header } from '../components/Header.js';
import { HelpPanel } from '../components/HelpPanel.js';
import { useChrome, useExitWhenQuit, useSizeSync } from '../hooks/use-chrome.js';
import { useKeyInput } from '../hooks/use-key-input.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { useTheme } from '../hooks/use-theme.js';
import type { FleetOnQuit } from '../state/intents.js';
import { FOOTER_LINES, HEADER_LINES } from '../state/layout.js';
import { ViewRouter } from './ViewRouter.js';

/**
 * The full-screen frame: header, the current view (or help), footer. Exactly `rows` lines tall
 * and `columns` wide, re-laid out on resize.
 */
export function Shell({ onQuit }: { onQuit?: (fleet: FleetOnQuit | undefined) => void }) {
  const terminal = useTerminalSize();
  useSizeSync(terminal);
  useKeyInput();
  useExitWhenQuit(onQuit);
  const chrome = useChrome();
  const theme = useTheme();
  const { columns, rows } = chrome.size;
  return (
    <Box flexDirection="column" width={columns} height={rows} overflow="hidden">
      <Header model={chrome.header} theme={theme} />
      <Box flexDirection="column" height={rows - HEADER_LINES - FOOTER_LINES} overflow="hidden">
        {chrome.help === undefined ? <ViewRouter width={columns} /> : <HelpPanel model={chrome.help} theme={theme} />}
      </Box>
      <Footer model={chrome.footer} theme={theme} />
    </Box>
  );
}
