import { memoryQueue } from '../../adapters/queue/memory.js';
import { queueContract } from './helpers/contract.js';

queueContract('memory', { make: async () => memoryQueue() }).run();
