// What proof-of-possession needs beyond the Bearer path: the key store (WebCrypto keys, their
// public JWK and RFC 7638 thumbprint) and the two signers (DPoP proofs, MSAL Signed HTTP
// Requests), with jose's JWS signing code behind them. Loaded by pop/popKeys.ts on the first
// bound request only, as its own chunk; nothing imports this module statically.
export { PopKeyStore } from './keyStore.js';
export { createDpopProof } from './dpopProof.js';
export { createSignedHttpRequest, requestConfirmation } from './signedHttpRequest.js';
export { assertBoundToken, presentBound } from './boundTokens.js';
