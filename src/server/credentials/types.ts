/**
 * The forms a confidential client's credential takes (MSAL `ClientApplication`
 * `client_credential`, camelCase). Pass one as `clientCredential`.
 */
export type ClientCredential = string | CertificateCredential | ClientAssertionCredential | PfxCredential;

/**
 * A certificate's private key in PEM (PKCS#8 `PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`, or
 * PKCS#1 `RSA PRIVATE KEY`, also with legacy `Proc-Type` encryption), and the certificate's
 * thumbprint. keyward signs a fresh client assertion (RFC 7523) for every token request.
 */
export interface CertificateCredential {
  /** PEM private key. Never logged or put in an error message. */
  privateKey: string;
  /** SHA-1 thumbprint of the certificate, 40 hex digits (colons and spaces allowed): sent as `x5t`, signed with RS256. */
  thumbprint?: string;
  /** SHA-256 thumbprint, 64 hex digits: the assertion is then signed with PS256 and carries `x5t#S256`. */
  thumbprintSha256?: string;
  /**
   * The certificate, or its chain leaf first, in PEM: sent as the `x5c` header for subject
   * name / issuer authentication. Given a chain, keyward sends it all; if Entra answers
   * AADSTS700027 for a chain, send only the leaf certificate here.
   */
  publicCertificate?: string;
  /** Decrypts an encrypted private key. */
  passphrase?: string;
}

/** A client assertion signed elsewhere (a federated credential, a key in a vault): sent as given. */
export interface ClientAssertionCredential {
  /** The JWT, or a function returning a current one (called for every token request, so it may rotate). */
  clientAssertion: string | (() => string | Promise<string>);
}

/** A PKCS#12 (`.pfx` / `.p12`) file holding the private key and its certificate. */
export interface PfxCredential {
  /** Path of the file, read once at construction. */
  privateKeyPfxPath: string;
  /** True: send the file's certificate chain as `x5c` (subject name / issuer authentication). */
  publicCertificate?: boolean;
  /** The file's password. */
  passphrase?: string;
}
