import { routerContract } from '../../test/contracts/router.js';
import { createTrieRouter } from './trie.js';

routerContract('trie router', () => createTrieRouter());
