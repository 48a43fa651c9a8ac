import type { ViteDevServer } from 'vite';
import type { Idp } from '../../test/idp/createIdp.mjs';
import type { ResourceServer } from '../../test/resource/createResourceServer.mjs';

export declare const PLAYGROUND_ROOT: string;
export declare const CLAIMS_CHALLENGE: string;

export interface LocalServicesOptions {
  /** The playground's origin: the IdP's redirect URI and the API's CORS origin. */
  appOrigin: string;
  /** Default 0 (a free port). */
  idpPort?: number;
  /** Default 0 (a free port). */
  apiPort?: number;
}
export interface LocalServices {
  idp: Idp;
  api: ResourceServer;
  close(): Promise<void>;
}
export declare function startLocalServices(options: LocalServicesOptions): Promise<LocalServices>;

export interface PlaygroundServerOptions {
  port: number;
  /** The API whose claims challenge `POST /__playground/claims` toggles. */
  api?: ResourceServer;
  /** VITE_KEYWARD_* values for the page. */
  env?: Record<string, string | undefined>;
  logLevel?: 'info' | 'warn' | 'error' | 'silent';
}
export declare function startPlaygroundServer(options: PlaygroundServerOptions): Promise<{ server: ViteDevServer; origin: string; close(): Promise<void> }>;
