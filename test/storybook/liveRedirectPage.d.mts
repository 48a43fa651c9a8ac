import type { Plugin } from 'vite';
export declare const liveRedirectPath: '/__keyward/live-redirect';
export declare function liveRedirectPage(): Plugin;
