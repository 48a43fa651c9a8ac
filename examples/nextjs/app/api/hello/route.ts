import { createRemoteJWKSet, jwtVerify } from 'jose';

const issuer = process.env.KEYWARD_AUTHORITY ?? 'http://127.0.0.1:4000';
const keys = createRemoteJWKSet(new URL(`${issuer}/jwks`));

/** An API route that accepts only the provider's access tokens for api://demo. */
export async function GET(request: Request): Promise<Response> {
  const token = request.headers.get('authorization')?.match(/^Bearer (.+)$/)?.[1];
  if (!token) return Response.json({ message: 'no token' }, { status: 401 });
  try {
    const { payload } = await jwtVerify(token, keys, { issuer, audience: 'api://demo' });
    return Response.json({ message: `hello ${String(payload.sub)}, your token is good` });
  } catch {
    return Response.json({ message: 'bad token' }, { status: 401 });
  }
}
