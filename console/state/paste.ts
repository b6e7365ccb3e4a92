import type { KeyEvent } from './keys.js';

/** What Ink hands us for the bracketed-paste markers ESC[200~ and ESC[201~ (it strips the ESC). */
export const PASTE_START = '[200~';
export const PASTE_END = '[201~';
/** Past this a paste is cut: no text field in the console needs more, and memory stays bounded. */
const MAX_PASTE_CHARS = 64 * 1024;

/**
 * Bracketed paste (xterm's mode 2004, which the console turns on): everything between the
 * markers is text, delivered as one `paste` event. Without it, a newline in the pasted text
 * would be an Enter that submits a prompt half way and the rest would run as commands; and the
 * markers themselves would land in the text as "[200~".
 */
export class PasteCollector {
  private buffer: string | undefined;

  /** The event to route, or undefined while a paste is being collected. */
  accept(ev: KeyEvent): KeyEvent | undefined {
    if (ev.name === PASTE_START) {
      this.buffer = '';
      return undefined;
    }
    if (this.buffer === undefined) return ev.name === PASTE_END ? undefined : ev;
    if (ev.name === PASTE_END) {
      const text = this.buffer;
      this.buffer = undefined;
      return { name: 'paste', text };
    }
    const piece = ev.text !== '' ? ev.text : ev.name === 'enter' || ev.name === 'tab' ? ' ' : '';
    if (this.buffer.length < MAX_PASTE_CHARS) this.buffer = (this.buffer + piece).slice(0, MAX_PASTE_CHARS);
    return undefined;
  }
}
