/// <reference types="vite/client" />
interface ImportMetaEnv {
  readonly VITE_KEYWARD_AUTHORITY?: string;
  readonly VITE_KEYWARD_OIDC_AUTHORITY?: string;
  readonly VITE_KEYWARD_CLIENT_ID?: string;
  readonly VITE_KEYWARD_SCOPES?: string;
  /** The protected API the playground calls (npm start: the local one on 127.0.0.1:4100). */
  readonly VITE_KEYWARD_API?: string;
}
