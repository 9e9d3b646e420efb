import { memoryQueue } from '../../adapters/worker/memory.js';
import { queueContract } from './helpers/contract.js';
import { retentionContract } from './helpers/contract-retention.js';

const target = { make: async (options = {}) => memoryQueue(options) };
queueContract('memory', target).run();
retentionContract('memory', target).run();
