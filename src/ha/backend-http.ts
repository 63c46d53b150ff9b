import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import { undiciAdapter } from './undici-adapter.js';

/** Injection token of the HttpService that the backend client sends its requests through. */
export const BACKEND_HTTP = Symbol('BACKEND_HTTP');

/**
 * Creates the backend client's HttpService over an axios instance whose
 * only default is the undici adapter. axios merges its defaults into every
 * request, and merging the usual ones (header buckets, transforms,
 * transitional options, size limits, form-data classes) is a measurable
 * share of each request's CPU time. Leaving them out changes nothing for
 * this client, because it sets every header and option it relies on itself
 * and sends no body. It also takes the response as a stream, which the
 * default transforms leave alone and the undici adapter does not limit.
 */
export function createBackendHttpService(): HttpService {
  const instance = axios.create({ adapter: undiciAdapter });
  const defaults = instance.defaults as unknown as Record<string, unknown>;
  for (const key of Object.keys(defaults)) {
    if (key !== 'adapter') delete defaults[key];
  }
  return new HttpService(instance);
}
