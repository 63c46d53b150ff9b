import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import { undiciAdapter } from './undici-adapter.js';

/** Injection token of the HttpService that the backend client sends its requests through. */
export const BACKEND_HTTP = Symbol('BACKEND_HTTP');

/**
 * Creates the backend client's HttpService over an axios instance with empty
 * defaults. axios merges its defaults into every request, and merging the
 * default header buckets, transforms and transitional options is a
 * measurable share of each request's CPU time. Emptying them changes nothing
 * for this client: it sets every header itself, sends no body, and takes
 * the response as a stream, which axios' default transforms leave alone.
 */
export function createBackendHttpService(): HttpService {
  const instance = axios.create({ adapter: undiciAdapter });
  instance.defaults.headers = {} as typeof instance.defaults.headers;
  instance.defaults.transformRequest = [];
  instance.defaults.transformResponse = [];
  instance.defaults.transitional = undefined;
  return new HttpService(instance);
}
