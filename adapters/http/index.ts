export { createHttpClient, type HttpAnswer, type HttpClient, type HttpClientOptions, type HttpExchange } from './request.js';
export { parseRetryAfter } from './retry-after.js';
