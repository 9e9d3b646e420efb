import { formBody, jsonBody } from './requests.js';
import type { Submit } from './submit.js';
import type { AutoHttp } from './types.js';

/** The facade's request calls, each a spec for `submit`. */
export function requestMethods(submit: Submit): Pick<AutoHttp, 'get' | 'postJson' | 'postForm' | 'request'> {
  return {
    get: (businessType, businessId, url, headers, opts) => submit(() => ({ businessType, businessId, url, method: 'GET', headers, retry: opts?.retry })),
    postJson: (businessType, businessId, url, body, headers, opts) =>
      submit(() => ({ businessType, businessId, url, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: jsonBody(body), retry: opts?.retry })),
    postForm: (businessType, businessId, url, body, headers, opts) =>
      submit(() => ({
        businessType, businessId, url, method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: formBody(body),
        retry: opts?.retry,
      })),
    request: (spec) => submit(() => spec),
  };
}
