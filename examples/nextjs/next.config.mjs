import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

/** @type {import('next').NextConfig} */
const nextConfig = {
  // This folder is its own project (its own lock file), not part of the repository's root one.
  turbopack: { root: here },
  outputFileTracingRoot: here,
  poweredByHeader: false,
};

export default nextConfig;
