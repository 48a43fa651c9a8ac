import type { StorybookConfig } from '@storybook/react-vite';

// Written by hand (no `storybook init`, which installs packages): React + Vite, stories run as
// Vitest tests through @storybook/addon-vitest, nothing sent anywhere (the build works offline).
const config: StorybookConfig = {
  stories: ['../stories/**/*.stories.@(ts|tsx)'],
  addons: ['@storybook/addon-vitest'],
  // StrictMode is set in preview.ts: the framework's `strictMode` option would not reach Vitest runs.
  framework: { name: '@storybook/react-vite', options: {} },
  core: { disableTelemetry: true },
};

export default config;
