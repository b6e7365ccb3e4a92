import type { KeyEvent } from './keys.js';

// Pasted text may carry newlines and escape sequences; a one-line prompt keeps printable text only.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * One-line text editing for prompts and form fields: typing appends, Backspace deletes, Ctrl+U
 * clears, Ctrl+W deletes a word. Returns undefined when the key is not an editing key, so the
 * caller can give it another meaning (Enter, Esc, arrows).
 */
export function editText(text: string, ev: KeyEvent): string | undefined {
  switch (ev.name) {
    case 'backspace':
      return Array.from(text).slice(0, -1).join('');
    case 'ctrl+u':
      return '';
    case 'ctrl+w':
      return text.replace(/\S+\s*$/, '');
    default:
      if (ev.text === '') return undefined;
      return text + ev.text.replace(CONTROL, ' ');
  }
}
