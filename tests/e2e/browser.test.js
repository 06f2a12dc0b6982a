// A real browser: Debian's Chromium, driven by playwright-core, runs a single-page app on
// @auth0/auth0-spa-js, unmodified, against the real server. It proves that the pages work under
// their content security policy: the login form, silent authentication in a hidden iframe
// (response_mode=web_message), the form_post answer's auto-submit, and that another origin
// cannot frame the login page; and that the Management API reference renders, offline.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { DATABASE, management, random, startServer } from './support/harness.js';
import { launchChromium, openApp, startApp, watchedPage } from './support/spa.js';

const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

let server;
let app;
let browser;
let spa;
const user = { email: `spa-${random(4).toLowerCase()}@e2e.example.com`, password: `Pw1-${random(12)}` };

before(async () => {
  server = await startServer();
  app = await startApp(server, () => spa.client_id);
  const api = management(server);
  spa = await api.request('POST', 'clients', {
    name: `Browser SPA ${random(4)}`,
    app_type: 'spa',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    callbacks: [`${app.origin}/`, app.origin, `${app.origin}/form-post`],
    web_origins: [app.origin],
    allowed_origins: [app.origin],
    allowed_logout_urls: [`${app.origin}/`],
  });
  await api.request('POST', 'users', { connection: DATABASE, ...user, email_verified: true });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  app?.listener.close();
  await server?.stop();
});

test('auth0-spa-js logs in through the login form, renews silently in an iframe, and logs out', async () => {
  const context = await browser.newContext();
  const { page, refusals } = await watchedPage(context);
  await openApp(page, app);

  await Promise.all([page.waitForURL(/\/u\/login/), page.evaluate(() => window.client.loginWithRedirect())]);
  await page.fill('#username', user.email);
  await page.fill('#password', user.password);
  await Promise.all([page.waitForURL((url) => url.origin === app.origin), page.click('button[type=submit]')]);
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
  const signedIn = await page.evaluate(async () => {
    await window.client.handleRedirectCallback();
    return window.client.getUser();
  });
  assert.equal(signedIn?.email, user.email, JSON.stringify(signedIn));

  // No refresh token: the SDK renews in a hidden iframe with response_mode=web_message, which
  // only works when the page may be framed by the app and its script may run.
  const renewed = await page.evaluate(() =>
    window.client.getTokenSilently({ cacheMode: 'off', detailedResponse: true }).then(
      (answer) => ({ ok: true, idToken: Boolean(answer.id_token), accessToken: Boolean(answer.access_token) }),
      (error) => ({ ok: false, error: String(error?.error ?? error), description: String(error?.error_description ?? '') }),
    ),
  );
  assert.deepEqual(renewed, { ok: true, idToken: true, accessToken: true }, JSON.stringify(renewed));

  await Promise.all([
    page.waitForURL((url) => url.origin === app.origin && !url.search),
    page.evaluate(() => window.client.logout({ logoutParams: { returnTo: `${window.location.origin}/` } })),
  ]);
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
  const afterLogout = await page.evaluate(() =>
    window.client.getTokenSilently({ cacheMode: 'off' }).then(
      () => 'renewed',
      (error) => String(error?.error ?? error),
    ),
  );
  assert.equal(afterLogout, 'login_required');
  assert.deepEqual(refusals, [], 'the browser refused content under the pages’ policy');
  await context.close();
});

test('the form_post answer submits itself under its policy', async () => {
  const context = await browser.newContext();
  const { page, refusals } = await watchedPage(context);
  const authorize = new URL('/authorize', server.origin);
  authorize.search = new URLSearchParams({
    client_id: spa.client_id,
    response_type: 'code',
    response_mode: 'form_post',
    redirect_uri: `${app.origin}/form-post`,
    scope: 'openid',
    state: 'posted-state',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
  }).toString();
  await page.goto(authorize.href);
  await page.fill('#username', user.email);
  await page.fill('#password', user.password);
  await Promise.all([page.waitForURL(`${app.origin}/form-post`), page.click('button[type=submit]')]);
  await page.waitForSelector('#received');
  const answer = app.posted.at(-1);
  assert.equal(answer?.state, 'posted-state', JSON.stringify(answer));
  assert.ok(answer?.code, JSON.stringify(answer));
  // The code is good: exchanged by the SPA's rules (PKCE, no secret).
  const exchanged = await fetch(new URL('/oauth/token', server.origin), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: spa.client_id,
      code: answer.code,
      redirect_uri: `${app.origin}/form-post`,
      code_verifier: VERIFIER,
    }),
  });
  assert.equal(exchanged.status, 200, await exchanged.text());
  assert.deepEqual(refusals, [], 'the browser refused the form_post page’s own script');
  await context.close();
});

test('another origin cannot frame the login page', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const start = await fetch(
    `${server.origin}/authorize?${new URLSearchParams({
      client_id: spa.client_id,
      response_type: 'code',
      redirect_uri: `${app.origin}/`,
      scope: 'openid',
      code_challenge: CHALLENGE,
      code_challenge_method: 'S256',
    })}`,
    { redirect: 'manual' },
  );
  const login = new URL(start.headers.get('location'), server.origin).href;
  await page.goto(`${app.origin}/framer?target=${encodeURIComponent(login)}`);
  const frame = await (await page.waitForSelector('#framed')).contentFrame();
  await page.waitForTimeout(500);
  const framedForm = await frame.$('#username').catch(() => null);
  assert.equal(framedForm, null, 'the login form rendered inside another site’s frame');
  await context.close();
});

test('the Management API reference renders its OpenAPI document under its policy', async () => {
  const context = await browser.newContext();
  try {
    const { page, refusals } = await watchedPage(context);
    const elsewhere = [];
    // Requests that completed: one the policy blocks never leaves the browser.
    page.on('requestfinished', (request) => {
      if (!request.url().startsWith(server.origin) && !request.url().startsWith('blob:')) {
        elsewhere.push(request.url());
      }
    });
    await page.goto(`${server.origin}/api/v2/docs`);
    // Redoc lists each operation by its summary, from the document the server publishes.
    await page.getByText('Rotate a client secret').first().waitFor({ timeout: 20_000 });
    // Redoc's footer links its maker's logo from a CDN; the page's policy refuses it, which is
    // the point. Anything else refused would be a broken page.
    const unexpected = refusals.filter((text) => !text.includes('https://cdn.redoc.ly/'));
    assert.deepEqual(unexpected, [], 'the page ran into its content security policy');
    assert.deepEqual(elsewhere, [], 'the page loaded something from elsewhere');
  } finally {
    await context.close();
  }
});
