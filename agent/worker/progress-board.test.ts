import { describe, expect, it } from 'vitest';
import { BOARD_BYTES, newBoard, readBoard, writeBoard } from './progress-board.js';

describe('progress board', () => {
  it('gives back the last snapshot of the job asked for, and nothing of another job', () => {
    const board = newBoard();
    expect(readBoard(board, 1)).toBeUndefined();
    writeBoard(board, 1, { filesChecked: 3 });
    writeBoard(board, 1, { filesChecked: 4, bytesRead: 10 });
    expect(readBoard(board, 1)?.stats).toEqual({ filesChecked: 4, bytesRead: 10 });
    expect(readBoard(board, 2)).toBeUndefined();
  });

  it('keeps the previous snapshot when a new one does not fit', () => {
    const board = newBoard();
    writeBoard(board, 7, { a: 1 });
    writeBoard(board, 7, { [`x${'y'.repeat(BOARD_BYTES)}`]: 1 });
    expect(readBoard(board, 7)?.stats).toEqual({ a: 1 });
  });

  it('reads nothing while a write is under way (odd sequence number)', () => {
    const board = newBoard();
    writeBoard(board, 1, { a: 1 });
    Atomics.add(new Int32Array(board, 0, 1), 0, 1);
    expect(readBoard(board, 1)).toBeUndefined();
  });
});
