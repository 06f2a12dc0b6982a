// A configuration bundle behind the database, black-box: the server started with
// AUTHHERO_CONFIG_BUNDLE serves the bundle's application, connection and branding read-only
// behind its own, and a user of the bundled connection logs in through the bundled application.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { ManagementError, management, random, startServer } from './support/harness.js';

const PASSWORD_REALM = 'http://auth0.com/oauth/grant-type/password-realm';

test('a bundled application logs a user of the bundled connection in, and stays read-only', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'authhero-bundle-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const secret = random(32);
  const bundle = path.join(dir, 'tenant.yaml');
  await writeFile(
    bundle,
    [
      'clients:',
      '  - client_id: bundled-app',
      '    name: Bundled App',
      `    client_secret: "${secret}"`,
      `    grant_types: ["${PASSWORD_REALM}"]`,
      'connections:',
      '  - id: con_bundled',
      '    name: Bundled-Database',
      '    strategy: auth0',
      '    enabled_clients: [bundled-app]',
      'branding:',
      '  logo_url: https://cdn.example.com/logo.png',
      '',
    ].join('\n'),
  );
  const server = await startServer({ env: { AUTHHERO_CONFIG_BUNDLE: bundle } });
  t.after(() => server.stop());
  const api = management(server);

  const client = await api.request('GET', 'clients/bundled-app');
  assert.equal(client.name, 'Bundled App');
  const email = `bundled-${random(4).toLowerCase()}@e2e.example.com`;
  const password = `Pw1-${random(12)}`;
  const user = await api.request('POST', 'users', { connection: 'Bundled-Database', email, password });
  assert.equal(user.identities[0].connection, 'Bundled-Database');

  const response = await fetch(`${server.origin}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: PASSWORD_REALM,
      realm: 'Bundled-Database',
      username: email,
      password,
      client_id: 'bundled-app',
      client_secret: secret,
      scope: 'openid',
    }),
  });
  const tokens = await response.json();
  assert.equal(response.status, 200, JSON.stringify(tokens));
  assert.ok(tokens.id_token);

  // The bundle is read-only: a change through the API reaches the database, which does not
  // hold the application, and the bundle is left as it was.
  await assert.rejects(
    api.request('PATCH', 'clients/bundled-app', { name: 'Renamed' }),
    (error) => error instanceof ManagementError && error.status === 404,
  );
  assert.equal((await api.request('GET', 'clients/bundled-app')).name, 'Bundled App');

  // The bundle's client_id is taken: nobody can create another application under it.
  await assert.rejects(
    api.request('POST', 'clients', { name: 'Impostor', client_id: 'bundled-app', client_secret: random(32) }),
    (error) => error instanceof ManagementError && error.status === 409,
  );
});

test('a server refuses to start on a bundle that does not parse', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'authhero-bundle-'));
  try {
    const bundle = path.join(dir, 'tenant.json');
    await writeFile(bundle, '{"klients": []}');
    await assert.rejects(startServer({ env: { AUTHHERO_CONFIG_BUNDLE: bundle } }), /bundle/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
