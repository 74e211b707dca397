import { describe } from 'vitest';
import type { StoreFactory } from './harness.js';
import { enqueueContract } from './messages-contract.js';
import { enqueueBatchContract } from './enqueue-batch-contract.js';
import { messageQueriesContract } from './messages-queries-contract.js';
import { queueSearchContract } from './queue-search-contract.js';
import { dispatchContract } from './dispatch-contract.js';
import { leasesContract } from './leases-contract.js';
import { outcomesContract } from './outcomes-contract.js';
import { outcomeBatchContract } from './outcome-batch-contract.js';
import { reportsContract } from './reports-contract.js';
import { accountsSettingsContract } from './accounts-settings-contract.js';
import { capturedContract } from './captured-contract.js';
import { mailboxesContract } from './mailboxes-contract.js';
import { capturedSearchContract } from './captured-search-contract.js';
import { stateMachineContract } from './state-machine-contract.js';
import { transactionContract } from './transaction-contract.js';
import { tenantsContract } from './tenants-contract.js';
import { tenantIsolationContract } from './tenant-isolation-contract.js';

export type { StoreFactory, StoreUnderTest, RecordedAnnouncements } from './harness.js';
export { recordAnnouncements } from './harness.js';

/**
 * The behaviour every backend of the store ports (src/core/store/ports.ts) must show, run against the
 * store `factory` opens: a fresh, empty store for every test. Nothing here knows the backend.
 */
export function describeStoreContract(name: string, factory: StoreFactory): void {
  describe(`store contract: ${name}`, () => {
    enqueueContract(factory);
    enqueueBatchContract(factory);
    messageQueriesContract(factory);
    queueSearchContract(factory);
    dispatchContract(factory);
    leasesContract(factory);
    outcomesContract(factory);
    outcomeBatchContract(factory);
    reportsContract(factory);
    accountsSettingsContract(factory);
    capturedContract(factory);
    capturedSearchContract(factory);
    mailboxesContract(factory);
    transactionContract(factory);
    stateMachineContract(factory);
    tenantsContract(factory);
    tenantIsolationContract(factory);
  });
}
