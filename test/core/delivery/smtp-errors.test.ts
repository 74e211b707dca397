import { describe, expect, it } from 'vitest';
import { classifySmtpError } from '../../../src/core/delivery/smtp-errors.js';

describe('SMTP error classification', () => {
  it('4xx temporary, 5xx permanent, with genro-mail-proxy wording', () => {
    expect(classifySmtpError({ code: 'EMESSAGE', responseCode: 451, response: '451 4.3.0 Try later', command: 'DATA' })).toEqual({
      kind: 'temporary',
      scope: 'message',
      code: 451,
      text: '4.3.0 Try later (SMTP 451)',
    });
    expect(classifySmtpError({ code: 'EENVELOPE', responseCode: 550, response: '550 no', command: 'RCPT TO' })).toMatchObject({
      kind: 'permanent',
      code: 550,
    });
  });

  it('connection, greeting, TLS and 421 failures are connection-level and temporary', () => {
    for (const err of [
      { code: 'ECONNECTION', message: 'connect ECONNREFUSED 127.0.0.1:1' },
      { code: 'ETIMEDOUT', message: 'Greeting never received', command: 'CONN' },
      { code: 'ETLS', message: 'handshake' },
      { code: 'EPROTOCOL', responseCode: 421, response: '421 busy', command: 'CONN' },
      { code: 'EAUTH', responseCode: 454, response: '454 temp auth failure', command: 'AUTH PLAIN' },
    ]) {
      expect(classifySmtpError(err)).toMatchObject({ kind: 'temporary', scope: 'connection' });
    }
  });

  it('a 421 to a message command (a server capping messages per connection) is worth one retry at once', () => {
    expect(classifySmtpError({ code: 'EENVELOPE', responseCode: 421, response: '421 too many messages', command: 'MAIL FROM' })).toMatchObject({
      kind: 'temporary',
      retryNow: true,
    });
    expect(classifySmtpError({ code: 'EPROTOCOL', responseCode: 421, response: '421 busy', command: 'CONN' }).retryNow).toBeUndefined();
    expect(classifySmtpError({ code: 'EMESSAGE', responseCode: 451, response: '451 later', command: 'DATA' }).retryNow).toBeUndefined();
  });

  it('unknown errors are temporary; local message problems permanent', () => {
    expect(classifySmtpError(new Error('something odd'))).toMatchObject({ kind: 'temporary', text: 'something odd' });
    expect(classifySmtpError({ code: 'EENVELOPE', message: 'No recipients defined' })).toMatchObject({ kind: 'permanent' });
  });

  it('all recipients rejected: temporary only when every rejection was', () => {
    const rej = (code: number) => ({ recipient: `r${code}@x`, responseCode: code, response: `${code} nope` });
    expect(classifySmtpError({ code: 'EENVELOPE', rejectedErrors: [rej(450), rej(451)] }).kind).toBe('temporary');
    const mixed = classifySmtpError({ code: 'EENVELOPE', rejectedErrors: [rej(450), rej(550)] });
    expect(mixed.kind).toBe('permanent');
    expect(mixed.recipients).toEqual([
      { address: 'r450@x', accepted: false, code: 450, response: '450 nope' },
      { address: 'r550@x', accepted: false, code: 550, response: '550 nope' },
    ]);
  });
});
