import type { StorybookConfig } from '@storybook/react-vite';
import { liveRedirectPage } from '../test/storybook/liveRedirectPage.mjs';

// Written by hand (no `storybook init`, which installs packages): React + Vite, stories run as
// Vitest tests through @storybook/addon-vitest, nothing sent anywhere (the build works offline).
const config: StorybookConfig = {
  stories: ['../stories/**/*.stories.@(ts|tsx)'],
  addons: ['@storybook/addon-vitest'],
  // StrictMode is set in preview.ts: the framework's `strictMode` option would not reach Vitest runs.
  framework: { name: '@storybook/react-vite', options: {} },
  core: { disableTelemetry: true },
  // The live story's popup lands on this page (`npm run storybook` with `npm start` running).
  viteFinal: (viteConfig) => ({ ...viteConfig, plugins: [...(viteConfig.plugins ?? []), liveRedirectPage()] }),
};

export default config;
