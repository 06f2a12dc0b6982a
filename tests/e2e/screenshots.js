// Screenshots of every Universal Login screen, in the default look and in one branded look, at
// desktop and phone widths, for docs/universal-login.md. Run by `cargo xtask screenshots`
// (AUTHHERO_SERVER_BIN names the server; the first argument is the output directory).

import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { DATABASE, management, random, startServer } from './support/harness.js';
import { decodeQuotedPrintable, startSmtp } from './support/smtp.js';
import { launchChromium } from './support/spa.js';

const out = process.argv[2];
if (!out) throw new Error('usage: node screenshots.js <output directory>');
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const CALLBACK = 'https://app.example.com/callback';
const SIZES = { desktop: { width: 1280, height: 860 }, phone: { width: 390, height: 844 } };
// The branded look's logo, served to the browser as if from the tenant's CDN.
const LOGO_URL = 'https://cdn.example.com/acme-logo.svg';
const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" width="160" height="44" viewBox="0 0 160 44">
<rect width="44" height="44" rx="10" fill="#0f766e"/><path d="M12 32 22 10l10 22h-5l-5-11-5 11z" fill="#fff"/>
<text x="54" y="30" font-family="Arial, sans-serif" font-size="22" font-weight="700" fill="#0f172a">Acme</text></svg>`;

const smtp = await startSmtp();
const server = await startServer({ env: { AUTHHERO_SMTP_URL: smtp.url } });
const api = management(server);
const browser = await launchChromium();
try {
  const client = await api.request('POST', 'clients', {
    name: 'Acme Shop',
    app_type: 'spa',
    token_endpoint_auth_method: 'none',
    callbacks: [CALLBACK],
  });
  const email = `jane-${random(3).toLowerCase()}@example.com`;
  const user = await api.request('POST', 'users', {
    connection: DATABASE,
    email,
    password: `Pw1-${random(12)}`,
    email_verified: false,
  });
  const looks = {
    default: async () => {
      await api.request('PATCH', 'tenants/settings', { friendly_name: 'AuthHero' });
    },
    branded: async () => {
      await api.request('PATCH', 'tenants/settings', { friendly_name: 'Acme' });
      await api.request('PATCH', 'branding', {
        logo_url: LOGO_URL,
        colors: { primary: '#0f766e', page_background: '#0f172a' },
      });
    },
  };
  for (const [look, apply] of Object.entries(looks)) {
    await apply();
    for (const [size, viewport] of Object.entries(SIZES)) {
      const context = await browser.newContext({ viewport, deviceScaleFactor: size === 'phone' ? 2 : 1 });
      await context.route(LOGO_URL, (route) => route.fulfill({ contentType: 'image/svg+xml', body: LOGO }));
      const page = await context.newPage();
      const dir = path.join(out, look, size);
      await mkdir(dir, { recursive: true });
      const shot = async (name) => page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: size === 'desktop' });
      const authorize = (extra = {}) => {
        const url = new URL('/authorize', server.origin);
        url.search = new URLSearchParams({
          client_id: client.client_id,
          response_type: 'code',
          redirect_uri: CALLBACK,
          scope: 'openid',
          code_challenge: CHALLENGE,
          code_challenge_method: 'S256',
          ...extra,
        }).toString();
        return url.href;
      };
      const submit = () => Promise.all([page.waitForEvent('load'), page.click('button[type=submit]')]);

      await page.goto(authorize());
      await shot('login');
      await page.fill('#username', email);
      await page.fill('#password', 'not the password');
      await submit();
      await shot('login-wrong-password');
      await page.goto(authorize({ screen_hint: 'signup' }));
      await shot('signup');
      await page.fill('#email', 'new@example.com');
      await page.fill('#password', 'short');
      await submit();
      await shot('signup-weak-password');
      await page.goto(authorize());
      await Promise.all([page.waitForEvent('load'), page.click('text=Forgot password?')]);
      await shot('reset-request');
      await page.fill('#email', email);
      await submit();
      await shot('reset-email-sent');
      const mail = await smtp.next(email, (m) => decodeQuotedPrintable(m.data).includes('/u/reset-password?ticket='));
      const link = decodeQuotedPrintable(mail.data).match(/https?:\/\/\S*\/u\/reset-password\?ticket=[^\s"<]+/)[0];
      smtp.messages.splice(smtp.messages.indexOf(mail), 1);
      await page.goto(link);
      await shot('reset-password');
      const ticket = await api.request('POST', 'tickets/email-verification', { user_id: user.user_id });
      await page.goto(ticket.ticket);
      await shot('email-verified');
      await page.goto(`${server.origin}/u/login?state=default.expired`);
      await shot('error-expired');
      await api.request('PATCH', 'prompts', { identifier_first: true });
      await page.goto(authorize({ ui_locales: 'de' }));
      await shot('login-identifier-de');
      await page.fill('#username', email);
      await submit();
      await shot('login-password-de');
      await api.request('PATCH', 'prompts', { identifier_first: false });
      await context.close();
    }
  }
  console.log(`screenshots written to ${out}`);
} finally {
  await browser.close();
  await server.stop();
  await smtp.stop();
}
