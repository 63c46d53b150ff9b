import { pipeline, type Readable } from 'node:stream';
import { constants as zlibConstants, createBrotliDecompress, createUnzip } from 'node:zlib';
import { AxiosError, AxiosHeaders, getAdapter, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import type { Dispatcher } from 'undici';

declare module 'axios' {
  interface AxiosRequestConfig {
    /** The undici dispatcher (a keep-alive Pool per backend) that the undici adapter sends the request through. */
    dispatcher?: Dispatcher;
  }
}

const nodeHttpAdapter = getAdapter('http');

// Like axios' node:http adapter, a truncated compressed body ends where it stops instead of failing.
const LENIENT_FLUSH = { flush: zlibConstants.Z_SYNC_FLUSH, finishFlush: zlibConstants.Z_SYNC_FLUSH };

// undici's codes for a connection that closed mid-exchange.
const UNDICI_RESET_CODES = new Set(['UND_ERR_SOCKET', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH']);

/**
 * Gives undici's errors the codes node:http uses, which the error
 * classification and the error details name: llhttp's HPE_* for a response
 * that is not HTTP, ECONNRESET for a connection that closed mid-exchange.
 */
function useNodeHttpCode(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const failure = error as Error & { code?: string };

  if (failure.code !== undefined && UNDICI_RESET_CODES.has(failure.code)) {
    failure.code = 'ECONNRESET';
  } else if (failure.code === 'UND_ERR_HEADERS_OVERFLOW') {
    failure.code = 'HPE_HEADER_OVERFLOW';
  } else if (failure.name === 'HTTPParserError' && failure.code === undefined) {
    failure.code = /invalid eof state/i.test(failure.message) ? 'ECONNRESET' : 'HPE_INVALID_CONSTANT';
  }
  return failure;
}

/**
 * Decodes a Content-Encoding the backend sent although the gateway asked for
 * identity, as axios' node:http adapter does, so that the size limit and the
 * JSON check apply to the decoded bytes. A corrupt encoding fails the stream
 * with zlib's Z_* or brotli's ERR__ERROR_* code.
 */
function decodeBody(body: Readable, encoding: string | string[] | undefined): Readable {
  const name = (Array.isArray(encoding) ? encoding.join(',') : (encoding ?? '')).trim().toLowerCase();
  let decoder: NodeJS.ReadWriteStream & Readable;
  if (name === 'gzip' || name === 'x-gzip' || name === 'deflate' || name === 'compress' || name === 'x-compress') {
    decoder = createUnzip(LENIENT_FLUSH);
  } else if (name === 'br') {
    decoder = createBrotliDecompress({ flush: zlibConstants.BROTLI_OPERATION_FLUSH, finishFlush: zlibConstants.BROTLI_OPERATION_FLUSH });
  } else {
    return body;
  }
  // pipeline passes a body error on to the decoder, and destroying the decoder aborts the body.
  pipeline(body, decoder, () => undefined);
  return decoder;
}

// scheme://, optional user information, host and port, then the path and query. The authority
// contains no slash, so the path starts at the first slash after '//'.
const ABSOLUTE_URL = /^([a-z][a-z\d+.-]*:\/\/)(?:[^/?#@]*@)?([^/?#]*)([^#]*)/i;

/**
 * Splits an absolute URL into its origin (user information left out, as
 * URL.origin does) and its path with the query, without building a URL
 * object: that would cost CPU on every request.
 */
function splitUrl(url: string | undefined): { origin: string; path: string } {
  const match = ABSOLUTE_URL.exec(url ?? '');
  if (match === null) throw new TypeError(`The undici adapter needs an absolute URL, got ${JSON.stringify(url)}.`);
  return { origin: `${match[1]}${match[2]}`, path: match[3] === '' ? '/' : match[3] };
}

/**
 * Sends an axios request through undici instead of node:http, so the
 * backend client keeps HttpService as its interface while each request costs
 * less CPU. It supports what the backend client uses: bodiless requests, a
 * stream response and an AbortSignal. Like the backend client's settings
 * ask, it follows no redirect and reads no proxy variables, because undici's
 * Pool does neither. A request without a `dispatcher`, such as the NetBox
 * backend locator's, goes through axios' own node:http adapter as before.
 */
export async function undiciAdapter(config: InternalAxiosRequestConfig): Promise<AxiosResponse> {
  const dispatcher = config.dispatcher;
  if (dispatcher === undefined) return nodeHttpAdapter(config);
  if (config.responseType !== 'stream' || config.data !== undefined) {
    throw new AxiosError('The undici adapter only sends bodiless requests with responseType "stream"; leave out `dispatcher` for others.', AxiosError.ERR_BAD_OPTION, config);
  }

  const { origin, path } = splitUrl(config.url);
  let answer: Dispatcher.ResponseData;
  try {
    answer = await dispatcher.request({
      origin,
      path,
      method: (config.method ?? 'get').toUpperCase() as Dispatcher.HttpMethod,
      headers: AxiosHeaders.from(config.headers).toJSON(true) as Record<string, string>,
      signal: config.signal as AbortSignal | undefined,
    });
  } catch (error) {
    throw useNodeHttpCode(error);
  }

  // This listener comes first, so the body's readers see node:http's codes. It also keeps the
  // 'error' that undici's body emits when destroyed early (a redirect's body) from ending the process.
  answer.body.on('error', useNodeHttpCode);
  const data = answer.statusCode === 204 ? answer.body : decodeBody(answer.body, answer.headers['content-encoding']);

  return {
    data,
    status: answer.statusCode,
    statusText: '',
    headers: new AxiosHeaders(answer.headers as Record<string, string>),
    config,
    request: null,
  };
}
