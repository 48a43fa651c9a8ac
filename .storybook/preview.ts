import type { Preview } from '@storybook/react-vite';

const preview: Preview = {
  parameters: {
    layout: 'centered',
    // Every story's React root in StrictMode (effects mount, unmount, mount), in the Storybook UI
    // and in the Vitest runs alike, as keyward's own tests render. A <StrictMode> decorator would
    // not do it: React double-invokes effects only when StrictMode wraps the root, and the
    // framework's `strictMode` option does not reach Vitest runs.
    react: { rootOptions: { unstable_strictMode: true } },
  },
};

export default preview;
