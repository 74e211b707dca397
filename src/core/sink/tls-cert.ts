import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface TlsMaterial {
  key: string;
  cert: string;
}

const RENEW_BEFORE_MS = 30 * 86400_000;
const VALIDITY_YEARS = 10;

function stillValid(cert: string, now: Date): boolean {
  try {
    const x = new crypto.X509Certificate(cert);
    return new Date(x.validTo).getTime() - now.getTime() > RENEW_BEFORE_MS;
  } catch {
    return false;
  }
}

/**
 * The sink's STARTTLS certificate: self-signed for localhost, generated once and kept in the data
 * directory (so clients that pin it keep working across restarts), renewed when it nears expiry.
 * smtp-server's built-in certificate is not used: its private key is public.
 */
export async function sinkTlsMaterial(dataDir: string, now = new Date()): Promise<TlsMaterial> {
  const dir = path.join(dataDir, 'sink-tls');
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  try {
    const key = fs.readFileSync(keyFile, 'utf8');
    const cert = fs.readFileSync(certFile, 'utf8');
    if (stillValid(cert, now)) return { key, cert };
  } catch {
    // first start, or unreadable: generate a new pair
  }
  const notAfter = new Date(now);
  notAfter.setFullYear(notAfter.getFullYear() + VALIDITY_YEARS);
  // node-forge (~10 MB) is only needed the first time, to make the certificate
  const { default: selfsigned } = await import('selfsigned');
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(keyFile, pems.private, { mode: 0o600 });
  fs.writeFileSync(certFile, pems.cert);
  return { key: pems.private, cert: pems.cert };
}
