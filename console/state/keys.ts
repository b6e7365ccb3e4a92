/**
 * Key events as the console's state sees them: a name to match against the keymap and the text
 * typed (for prompts). Structural on purpose: state never imports ink.
 */
export interface KeyEvent {
  /** `a`, `G`, `:`, `enter`, `esc`, `up`, `space`, `ctrl+c`, `backspace`, `tab`, `shift+tab`... */
  name: string;
  /** Printable text typed (several characters when pasted); empty for special keys. */
  text: string;
}

/** The fields of ink's `Key` we read. */
export interface InkKeyLike {
  upArrow: boolean;
  downArrow: boolean;
  leftArrow: boolean;
  rightArrow: boolean;
  pageDown: boolean;
  pageUp: boolean;
  home?: boolean;
  end?: boolean;
  return: boolean;
  escape: boolean;
  ctrl: boolean;
  shift: boolean;
  tab: boolean;
  backspace: boolean;
  delete: boolean;
  meta: boolean;
}

const SPECIAL: readonly [keyof InkKeyLike, string][] = [
  ['upArrow', 'up'],
  ['downArrow', 'down'],
  ['leftArrow', 'left'],
  ['rightArrow', 'right'],
  ['pageDown', 'pagedown'],
  ['pageUp', 'pageup'],
  ['home', 'home'],
  ['end', 'end'],
  ['return', 'enter'],
  ['escape', 'esc'],
  // Most terminals send DEL (0x7f) for the Backspace key, which ink reports as `delete`.
  ['backspace', 'backspace'],
  ['delete', 'backspace'],
];

export function toKeyEvent(input: string, key: InkKeyLike): KeyEvent {
  if (key.tab) return { name: key.shift ? 'shift+tab' : 'tab', text: '' };
  for (const [flag, name] of SPECIAL) if (key[flag] === true) return { name, text: '' };
  if (key.ctrl) return { name: `ctrl+${input}`, text: '' };
  if (input === ' ') return { name: 'space', text: ' ' };
  return { name: input, text: input };
}

/** A key event for a typed character or a named key, for tests and the bench. */
export function keyEvent(name: string): KeyEvent {
  if (name === 'space') return { name, text: ' ' };
  return name.length === 1 ? { name, text: name } : { name, text: '' };
}
