/**
 * Reads a server-sent event stream (GET /events) block by block: each `data: …` or `: ping`
 * block, without its blank-line separator, goes to `onBlock` as it arrives. Resolves when the
 * stream ends; aborting the request is how tests stop reading, so the abort is not an error.
 */
export function readEventBlocks(res: Response, onBlock: (block: string) => void): Promise<void> {
  return (async () => {
    const decoder = new TextDecoder();
    let text = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      const blocks = text.split('\n\n');
      text = blocks.pop() ?? '';
      for (const block of blocks) onBlock(block);
    }
  })().catch(() => undefined);
}
