import type { Settings } from '../../api/types.js';

export interface ConnectionInfo {
  smtpHost: string;
  smtpPort: number | null;
  apiUrl: string;
  token: string;
}

export function connectionInfo(settings: Settings | null, baseUrl: string, token: string, origin: string): ConnectionInfo {
  const apiUrl = settings?.api?.url || baseUrl || origin;
  return {
    smtpHost: settings?.smtp?.host && settings.smtp.host !== '0.0.0.0' && settings.smtp.host !== '::' ? settings.smtp.host : '127.0.0.1',
    smtpPort: settings?.smtp?.port ?? null,
    apiUrl: apiUrl.replace(/\/$/, ''),
    token,
  };
}

/** What to type into an application's SMTP settings to send into the sandbox. */
export function smtpSnippet(c: ConnectionInfo): string {
  return [
    `Host: ${c.smtpHost}`,
    `Port: ${c.smtpPort ?? '(see status bar)'}`,
    'Encryption: none (STARTTLS optional)',
    'Login: not needed (any user/password',
    '  is accepted; the user names the mailbox)',
  ].join('\n');
}

/** The same, as environment variables most frameworks read. */
export function smtpEnvSnippet(c: ConnectionInfo): string {
  return [`SMTP_HOST=${c.smtpHost}`, `SMTP_PORT=${c.smtpPort ?? ''}`, `MAIL_HOST=${c.smtpHost}`, `MAIL_PORT=${c.smtpPort ?? ''}`].join('\n');
}

/** A genro-mail-proxy client's settings (a Genropy app talks to the relay as to the original service). */
export function proxySnippet(c: ConnectionInfo): string {
  return [`mail-proxy URL:   ${c.apiUrl}`, `mail-proxy token: ${c.token}`].join('\n');
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A test message through the relay's own API. */
export function curlSendSnippet(c: ConnectionInfo): string {
  const body = JSON.stringify({ from: 'app@example.com', to: ['someone@example.com'], subject: 'Hello from the relay', body_text: 'It works.' });
  return [
    `curl -X POST ${c.apiUrl}/api/send \\`,
    `  -H ${shellQuote(`X-API-Token: ${c.token}`)} \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d ${shellQuote(body)}`,
  ].join('\n');
}
