/**
 * keyward/testing: an in-memory `AuthClient` for testing components and writing
 * stories without an identity provider. Pass `createTestClient(…)` to `<AuthProvider client>`.
 * @packageDocumentation
 */
export { createTestClient } from './createTestClient.js';
export type { LoggedMethod, TestClient, TestClientCall, TestClientOptions, TestFailures } from './createTestClient.js';
export { testAccount } from './testData.js';
export type { TestAccount, TestToken } from './testData.js';
