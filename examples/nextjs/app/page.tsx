import { SignInStatus } from './SignInStatus';

// A server component: rendered on the server, hydrated with the client parts inside it.
export default function Home() {
  return (
    <>
      <h1>keyward + Next.js App Router</h1>
      <p>This page is rendered on the server; who is signed in is known only in the browser.</p>
      <SignInStatus />
    </>
  );
}
