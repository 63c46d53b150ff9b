import type { Readable } from 'node:stream';

/** Raised when a body grows past its limit; the rest of it is never read. */
export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';

  constructor(readonly maxBytes: number) {
    super(`The response body is larger than ${maxBytes} bytes.`);
  }
}

/** Raised when the connection closes before the body has ended. */
export class BodyIncompleteError extends Error {
  override name = 'BodyIncompleteError';
  readonly code = 'ECONNRESET';

  constructor() {
    super('The connection closed before the response body was complete.');
  }
}

/** Receives the whole body, or the error that ended the read; called at most once. */
export type BodyCallback = (error: Error | null, body?: Buffer) => void;

/**
 * Reads a whole response body, up to `maxBytes`, and passes it to `done`.
 * Returns a function that abandons the read: it destroys the stream, which
 * closes the socket, and `done` is not called after it.
 */
export function readBody(stream: Readable, maxBytes: number, done: BodyCallback): () => void {
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;

  const detach = () => {
    finished = true;
    stream.off('data', onData);
    stream.off('end', onEnd);
    stream.off('error', onError);
    stream.off('close', onClose);
  };
  const fail = (error: Error) => {
    if (finished) return;
    detach();
    abandon();
    done(error);
  };
  const abandon = () => {
    // Keep a late error from becoming an unhandled 'error' event.
    stream.on('error', () => undefined);
    stream.destroy();
  };

  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes) {
      fail(new BodyTooLargeError(maxBytes));
      return;
    }
    chunks.push(chunk);
  };
  const onEnd = () => {
    detach();
    done(null, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
  };
  const onError = (error: Error) => fail(error);
  const onClose = () => fail(new BodyIncompleteError());

  stream.on('data', onData);
  stream.once('end', onEnd);
  stream.once('error', onError);
  stream.once('close', onClose);

  return () => {
    if (finished) return;
    detach();
    abandon();
  };
}
