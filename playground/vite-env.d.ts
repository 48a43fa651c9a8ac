/// <reference types="vite/client" />
interface ImportMetaEnv {
  readonly VITE_KEYWARD_AUTHORITY?: string;
  readonly VITE_KEYWARD_OIDC_AUTHORITY?: string;
  readonly VITE_KEYWARD_CLIENT_ID?: string;
  readonly VITE_KEYWARD_SCOPES?: string;
}
