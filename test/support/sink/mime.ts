import nodemailer, { type SendMailOptions } from 'nodemailer';

/** A 1×1 PNG, for inline images and attachments. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** A raw message from its lines, joined with CRLF, each char one byte (Latin-1). */
export const mime = (...lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'latin1');

/** The bytes nodemailer would send for these options, as an application's mail reaches the sink. */
export async function composeMail(mail: SendMailOptions): Promise<Buffer> {
  const info = await nodemailer.createTransport({ streamTransport: true, buffer: true }).sendMail(mail);
  return info.message as Buffer;
}
