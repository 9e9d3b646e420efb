import { test } from 'uvu';
import { MemoryRetryStore } from '../../adapters/link/memory-retry-store.js';
import { retryStoreContract } from './helpers/retry-store-contract.js';

retryStoreContract('memory retry store', {
  make: async (capacity) => new MemoryRetryStore(capacity),
  cleanup: async () => {},
}, test);

test.run();
