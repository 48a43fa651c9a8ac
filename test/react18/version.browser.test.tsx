import { version } from 'react';
import { version as domVersion } from 'react-dom';
import { expect, test } from 'vitest';

// Guards the react18 project itself: if the alias stopped working, the React layer's tests
// in this project would silently run against React 19 again.
test('the react18 project really loads React 18', () => {
  expect(version).toMatch(/^18\./);
  expect(domVersion).toMatch(/^18\./);
});
