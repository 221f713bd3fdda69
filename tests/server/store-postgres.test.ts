import { storeContract } from './store-contract';

// Against a real PostgreSQL server (tests/support/global-setup.ts starts one).
storeContract('postgres');
