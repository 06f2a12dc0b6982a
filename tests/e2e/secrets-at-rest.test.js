// Secrets at rest across restarts of the real binary: client secrets and signing keys are sealed
// under the server's key, so a restart with the same key file serves them as before (the auth0
// SDK reads a client's secret back with read:client_keys, tokens from before still verify), and
// a start with another key is refused instead of answering every request with an error. The SDK
// is the v4 ManagementClient that auth0@7 bundles as 'auth0/legacy' (auth0@4.37.1); the v7 one
// is exercised by management-sdk.test.js.

import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';

import { ManagementClient } from 'auth0/legacy';

import { plainHttpFetch, random, startServer } from './support/harness.js';

function managementOf(server) {
  return new ManagementClient({
    domain: server.host,
    clientId: server.admin.clientId,
    clientSecret: server.admin.clientSecret,
    fetch: plainHttpFetch(server),
  });
}

test('a restart opens the sealed secrets; another key is refused at start', async () => {
  const first = await startServer();
  try {
    const { data: app } = await managementOf(first).clients.create({ name: `Sealed ${random(4)}`, app_type: 'regular_web' });
    assert.ok(app.client_secret, 'clients.create showed no secret');
    const jwks = await (await fetch(`${first.origin}/.well-known/jwks.json`)).json();
    assert.equal((await first.stop({ keepFiles: true })).code, 0);

    // The same key file: the admin client authenticates, the secret reads back the same.
    const again = await startServer({ again: first });
    const { data: fetched } = await managementOf(again).clients.get({ client_id: app.client_id });
    assert.equal(fetched.client_secret, app.client_secret, 'the sealed secret did not read back');
    const keys = await (await fetch(`${again.origin}/.well-known/jwks.json`)).json();
    assert.deepEqual(
      keys.keys.map((key) => key.kid).sort(),
      jwks.keys.map((key) => key.kid).sort(),
      'the signing keys changed across the restart',
    );
    assert.equal((await again.stop({ keepFiles: true })).code, 0);

    // Another key: refused with a message, never serving.
    const otherKey = Buffer.alloc(32, 7).toString('base64url');
    const refused = await startServer({ again: first, env: { AUTHHERO_SECRET_KEY: otherKey } }).then(
      (server) => server.stop().then(() => assert.fail('the server started under another key')),
      (error) => error,
    );
    assert.notEqual(refused.status?.code, 0, `exit ${JSON.stringify(refused.status)}`);
    assert.match(refused.output ?? '', /does not open/, refused.output);
  } finally {
    await rm(first.dir, { recursive: true, force: true });
  }
});
