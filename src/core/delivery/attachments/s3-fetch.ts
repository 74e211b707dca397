import type { GetObjectCommand as GetObjectCommandType, S3Client } from '@aws-sdk/client-s3';
import type { S3Config } from '../../config/types.js';
import { AttachmentError } from './errors.js';

/** S3 objects, through one client made on the first S3 attachment. */
export class S3Source {
  private s3Client: S3Client | null = null;

  constructor(private readonly o: { timeoutMs: number; maxBytes: number; s3: S3Config }) {}

  /** The AWS SDK is loaded on the first S3 attachment: most relays never need its ~20 MB. */
  private async client(): Promise<{ client: S3Client; GetObjectCommand: typeof GetObjectCommandType }> {
    const { S3Client, GetObjectCommand } = await import('@aws-sdk/client-s3');
    if (!this.s3Client) {
      const c = this.o.s3;
      this.s3Client = new S3Client({
        region: c.region,
        ...(c.endpoint ? { endpoint: c.endpoint } : {}),
        forcePathStyle: c.forcePathStyle,
        ...(c.accessKeyId && c.secretAccessKey ? { credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey } } : {}),
      });
    }
    return { client: this.s3Client, GetObjectCommand };
  }

  async fetch(bucket: string, key: string, label: string, signal?: AbortSignal): Promise<Buffer> {
    const where = `${label} (s3://${bucket}/${key})`;
    const { timeoutMs, maxBytes } = this.o;
    if (!bucket || !key) throw new AttachmentError(`${where}: bucket and key are required`);
    const timeout = AbortSignal.timeout(timeoutMs);
    const abortSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const { client, GetObjectCommand } = await this.client();
      const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal });
      if (res.ContentLength !== undefined && res.ContentLength > maxBytes) {
        throw new AttachmentError(`${where}: ${res.ContentLength} bytes exceed the size limit of ${maxBytes} bytes`);
      }
      if (!res.Body) throw new AttachmentError(`${where}: empty response`);
      const bytes = Buffer.from(await res.Body.transformToByteArray());
      if (bytes.length > maxBytes) throw new AttachmentError(`${where}: ${bytes.length} bytes exceed the size limit of ${maxBytes} bytes`);
      return bytes;
    } catch (err) {
      if (err instanceof AttachmentError) throw err;
      if (timeout.aborted) throw new AttachmentError(`${where}: no answer within ${timeoutMs} ms`);
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) throw new AttachmentError(`${where}: object not found`);
      if (e.name === 'NoSuchBucket') throw new AttachmentError(`${where}: bucket not found`);
      throw new AttachmentError(`${where}: ${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${causeOf(err)}`);
    }
  }

  close(): void {
    this.s3Client?.destroy();
    this.s3Client = null;
  }
}

/** The S3 endpoint is the operator's: its error texts are kept whole. */
function causeOf(err: unknown): string {
  const e = err as { message?: string; cause?: { message?: string; code?: string } };
  const cause = e?.cause?.code ?? e?.cause?.message;
  const msg = e?.message ?? String(err);
  return cause && !msg.includes(cause) ? `${msg} (${cause})` : msg;
}
