import { Protected } from './Protected';

// A server component; the sign-in gate and everything behind it are client components.
export default function ProtectedPage() {
  return (
    <>
      <h1>Protected</h1>
      <Protected />
    </>
  );
}
