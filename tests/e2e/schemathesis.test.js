// schemathesis (PyPI) over the OpenAPI document the server publishes at /api/v2/openapi.json:
// every documented operation is called with generated and boundary inputs, bounded in examples
// and time, and must answer without a 5xx and within the document (status, content type,
// response schema). `cargo xtask e2e` installs schemathesis and sets SCHEMATHESIS_BIN.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';

import { management, startServer } from './support/harness.js';

/** Generated cases per operation, and the wall-clock bound of the whole run. */
const EXAMPLES_PER_OPERATION = 5;
const RUN_TIMEOUT_MS = 8 * 60_000;

/** What an answer is held to: Auth0's shapes as the document states them. */
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
].join(',');

/** Deleting the admin client or revoking the key its token is signed with would end the run's
 * token: the run would then test 401s, not the server. */
const SPARED_OPERATIONS = ['delete_clients__id_', 'put_keys_signing__kid__revoke'];

let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.stop();
});

/** Runs `command` to completion (or kills it at the timeout); its exit code and output. */
function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

test('the Management API keeps to its OpenAPI document under generated input', async (t) => {
  const st = process.env.SCHEMATHESIS_BIN;
  assert.ok(st, 'SCHEMATHESIS_BIN is not set: run `cargo xtask e2e`, which installs schemathesis');
  const token = await management(server).accessToken();
  const args = [
    'run',
    `${server.origin}/api/v2/openapi.json`,
    '--header',
    `Authorization: Bearer ${token}`,
    '--checks',
    CHECKS,
    '--max-examples',
    String(EXAMPLES_PER_OPERATION),
    '--phases',
    'examples,coverage,fuzzing',
    '--request-timeout',
    '10',
    '--seed',
    '1',
    '--no-color',
    ...SPARED_OPERATIONS.flatMap((id) => ['--exclude-operation-id', id]),
  ];
  const { code, signal, output } = await run(st, args);
  t.diagnostic(output.split('\n').slice(-25).join('\n'));
  assert.equal(signal, null, `schemathesis was stopped by ${signal} after ${RUN_TIMEOUT_MS} ms:\n${output}`);
  assert.equal(code, 0, `schemathesis found failures:\n${output}`);
  assert.match(output, /Tested: \d+/, output);
});
