// A small SMTP server on loopback that keeps every message it receives: the server under test
// sends its mail over a real SMTP conversation, and a test reads what arrived.

import net from 'node:net';

/** Starts the server on a free port; `messages` fills as mail arrives. */
export async function startSmtp() {
  const messages = [];
  const waiting = [];
  const server = net.createServer((socket) => {
    socket.setEncoding('utf8');
    let buffer = '';
    let inData = false;
    let message = { from: '', to: [], data: '' };
    const reply = (line) => socket.write(`${line}\r\n`);
    reply('220 e2e-smtp ready');
    socket.on('data', (chunk) => {
      buffer += chunk;
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          message.data = buffer.slice(0, end).replace(/^\.\./gm, '.');
          buffer = buffer.slice(end + 5);
          inData = false;
          messages.push(message);
          waiting.splice(0).forEach((wake) => wake());
          message = { from: '', to: [], data: '' };
          reply('250 queued');
          continue;
        }
        const end = buffer.indexOf('\r\n');
        if (end < 0) return;
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') reply('250 e2e-smtp');
        else if (verb === 'MAIL') {
          message.from = line.slice(10);
          reply('250 ok');
        } else if (verb === 'RCPT') {
          message.to.push(line.slice(8));
          reply('250 ok');
        } else if (verb === 'DATA') {
          inData = true;
          reply('354 go ahead');
        } else if (verb === 'QUIT') {
          reply('221 bye');
          socket.end();
        } else reply('250 ok');
      }
    });
    socket.on('error', () => {});
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${server.address().port}`,
    port: server.address().port,
    messages,
    /** The first message to `address` that `matches`, waiting for it up to ten seconds. */
    async next(address, matches = () => true) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const found = messages.find((m) => m.to.some((to) => to.includes(address)) && matches(m));
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no mail to ${address} arrived`);
        await new Promise((resolve) => {
          waiting.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** The text of a message with quoted-printable soft breaks and escapes undone. */
export function decodeQuotedPrintable(data) {
  return data
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}
