import { describe, expect, it } from 'vitest';
import { keyEvent, toKeyEvent, type InkKeyLike } from './keys.js';
import { editText } from './text-input.js';

const none: InkKeyLike = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
};

describe('toKeyEvent', () => {
  it.each([
    { name: 'letter', input: { text: 'j', key: {} }, want: { name: 'j', text: 'j' } },
    { name: 'capital', input: { text: 'G', key: { shift: true } }, want: { name: 'G', text: 'G' } },
    { name: 'arrow', input: { text: '', key: { upArrow: true } }, want: { name: 'up', text: '' } },
    { name: 'enter', input: { text: '\r', key: { return: true } }, want: { name: 'enter', text: '' } },
    {
      name: 'escape wins over meta',
      input: { text: '', key: { escape: true, meta: true } },
      want: { name: 'esc', text: '' },
    },
    { name: 'DEL is backspace', input: { text: '', key: { delete: true } }, want: { name: 'backspace', text: '' } },
    { name: 'ctrl', input: { text: 'c', key: { ctrl: true } }, want: { name: 'ctrl+c', text: '' } },
    { name: 'space', input: { text: ' ', key: {} }, want: { name: 'space', text: ' ' } },
    { name: 'shift+tab', input: { text: '', key: { tab: true, shift: true } }, want: { name: 'shift+tab', text: '' } },
    { name: 'paste', input: { text: "os = 'linux'", key: {} }, want: { name: "os = 'linux'", text: "os = 'linux'" } },
  ])('$name', ({ input, want }) => {
    expect(toKeyEvent(input.text, { ...none, ...input.key })).toEqual(want);
  });
});

describe('editText', () => {
  it.each([
    { name: 'typing appends', input: { text: 'ab', key: 'c' }, want: 'abc' },
    { name: 'backspace', input: { text: 'abc', key: 'backspace' }, want: 'ab' },
    { name: 'backspace on empty', input: { text: '', key: 'backspace' }, want: '' },
    { name: 'ctrl+u clears', input: { text: 'abc', key: 'ctrl+u' }, want: '' },
    { name: 'ctrl+w deletes a word', input: { text: "os = 'linux'", key: 'ctrl+w' }, want: 'os = ' },
    { name: 'enter is not editing', input: { text: 'abc', key: 'enter' }, want: undefined },
  ])('$name', ({ input, want }) => {
    expect(editText(input.text, keyEvent(input.key))).toBe(want);
  });

  it('a paste loses its control characters', () => {
    expect(editText('', { name: 'x', text: 'a\nb\u001b[31mc' })).toBe('a b [31mc');
  });
});
