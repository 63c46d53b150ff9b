import type { Readable } from 'node:stream';
import { Observable } from 'rxjs';

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

/**
 * Reads a whole response body, up to `maxBytes`, and emits it once.
 * Unsubscribing before the end destroys the stream, which closes the socket.
 */
export function readBody(stream: Readable, maxBytes: number): Observable<Buffer> {
  return new Observable<Buffer>((subscriber) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let ended = false;

    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        subscriber.error(new BodyTooLargeError(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      ended = true;
      subscriber.next(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
      subscriber.complete();
    };
    const onError = (error: Error) => subscriber.error(error);
    const onClose = () => {
      if (!ended) subscriber.error(new BodyIncompleteError());
    };

    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    stream.once('close', onClose);

    return () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
      if (!ended) {
        // Keep a late error from becoming an unhandled 'error' event.
        stream.on('error', () => undefined);
        stream.destroy();
      }
    };
  });
}
