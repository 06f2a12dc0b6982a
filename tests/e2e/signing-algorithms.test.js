// Token signing algorithms per tenant, through openid-client v6 unmodified: the tenant switches to
// ES256 and then EdDSA with PATCH /api/v2/tenants/settings, and each time a code + PKCE login's
// ID token is validated by openid-client against the JWKS and its access token works at
// /userinfo, while tokens signed before the switch keep working. This file starts a server of
// its own, so switching algorithms never disturbs the other test files running in parallel.

import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { after, before, test } from 'node:test';

import * as client from 'openid-client';

import { DATABASE, describePage, logIn, management, random, startServer } from './support/harness.js';

const CALLBACK = 'https://signing.e2e.example.com/callback';

let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.stop();
});

/** openid-client configured by discovery, verifying ID token signatures against the JWKS. */
function discover(clientId, clientSecret) {
  const auth = clientSecret === undefined ? client.None() : client.ClientSecretPost(clientSecret);
  return client.discovery(new URL(server.issuer), clientId, undefined, auth, {
    execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
  });
}

/** Logs `user` in to `config` with code + PKCE through the login form; the validated tokens. */
async function codeFlow(config, user) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    scope: 'openid profile email',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const result = await logIn(server, url, { username: user.email, password: user.password });
  assert.ok(result.callback, `the login did not redirect to the client: ${describePage(result.page)}`);
  return client.authorizationCodeGrant(config, result.callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
}

function header(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString('utf8'));
}

/** Checks the JWT's signature with node:crypto against the JWKS key its kid names; that key. */
async function verifiedByJwks(jwt) {
  const { alg, kid } = header(jwt);
  const jwks = await (await fetch(`${server.origin}/.well-known/jwks.json`)).json();
  const jwk = jwks.keys.find((key) => key.kid === kid);
  assert.ok(jwk, `no JWKS key ${kid}`);
  assert.equal(jwk.alg, alg);
  assert.equal(jwk.use, 'sig');
  assert.equal(jwk.d, undefined, 'a private member is published');
  const [encodedHeader, payload, signature] = jwt.split('.');
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const data = Buffer.from(`${encodedHeader}.${payload}`);
  const bytes = Buffer.from(signature, 'base64url');
  const valid =
    alg === 'EdDSA'
      ? verify(null, data, key, bytes)
      : verify('sha256', data, alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key, bytes);
  assert.ok(valid, `the ${alg} signature does not verify with JWKS key ${kid}`);
  return jwk;
}

async function userinfo(accessToken) {
  return fetch(`${server.origin}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
}

test('a tenant switched to ES256, then EdDSA, issues tokens openid-client validates', async () => {
  // The admin's Management API token is issued now, with RS256, and used after both switches.
  const api = management(server);
  const spa = await api.request('POST', 'clients', {
    name: `Signing SPA ${random(4)}`,
    app_type: 'spa',
    callbacks: [CALLBACK],
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'],
    oidc_conformant: true,
  });
  const user = { email: `alg-${random(4).toLowerCase()}@e2e.example.com`, password: `Pw1-${random(12)}` };
  await api.request('POST', 'users', { connection: DATABASE, ...user, email_verified: true });
  assert.equal(header(await api.accessToken()).alg, 'RS256');

  const earlier = [];
  for (const [alg, kty, crv] of [
    ['ES256', 'EC', 'P-256'],
    ['EdDSA', 'OKP', 'Ed25519'],
  ]) {
    const settings = await api.request('PATCH', 'tenants/settings', { signing_alg: alg });
    assert.equal(settings.signing_alg, alg);

    const config = await discover(spa.client_id);
    assert.ok(config.serverMetadata().id_token_signing_alg_values_supported.includes(alg));
    const tokens = await codeFlow(config, user);
    assert.equal(header(tokens.id_token).alg, alg, 'ID token alg');
    const jwk = await verifiedByJwks(tokens.id_token);
    assert.equal(jwk.kty, kty);
    assert.equal(jwk.crv, crv);
    assert.equal(tokens.claims().email, user.email);
    assert.equal(header(tokens.access_token).alg, alg, 'access token alg');
    await verifiedByJwks(tokens.access_token);
    const info = await client.fetchUserInfo(config, tokens.access_token, tokens.claims().sub);
    assert.equal(info.email, user.email);

    const machine = await discover(server.admin.clientId, server.admin.clientSecret);
    const granted = await client.clientCredentialsGrant(machine, { audience: server.managementAudience });
    assert.equal(header(granted.access_token).alg, alg, 'client_credentials token alg');
    await verifiedByJwks(granted.access_token);

    for (const token of earlier) {
      const response = await userinfo(token);
      assert.equal(response.status, 200, `a token signed before the switch to ${alg} was refused`);
    }
    earlier.push(tokens.access_token);
  }

  // The RS256 token from before both switches still works, and the JWKS has all three kinds.
  const settings = await api.request('GET', 'tenants/settings');
  assert.equal(settings.signing_alg, 'EdDSA');
  const jwks = await (await fetch(`${server.origin}/.well-known/jwks.json`)).json();
  assert.deepEqual([...new Set(jwks.keys.map((key) => key.kty))].sort(), ['EC', 'OKP', 'RSA']);
});
