/**
 * S3 adapter of the report store: the drop bucket holds `incoming/<mapping>/<file>.csv` (written by
 * the ILS's role, read and deleted by the bridge), `mappings/<mapping>.json` (uploaded by the
 * operator) and `rejections/<mapping>/<file>.json` (written by the bridge, no values inside).
 */
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  MAPPINGS_PREFIX,
  REJECTIONS_PREFIX,
  type RejectionReport,
  type ReportFile,
  type ReportStore,
} from '#shared/ilsBridge/reportBridge.ts';

const isMissing = (error: unknown) => (error as { name?: string }).name === 'NoSuchKey';

export class S3ReportStore implements ReportStore {
  public constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  private async get(key: string): Promise<{ text: string; lastModified: Date } | undefined> {
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return { text: (await object.Body?.transformToString('utf-8')) ?? '', lastModified: object.LastModified ?? new Date(0) };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  public async read(key: string): Promise<ReportFile | undefined> {
    const object = await this.get(key);
    return object && { text: object.text, droppedAt: object.lastModified };
  }

  public async mapping(name: string): Promise<unknown> {
    const object = await this.get(`${MAPPINGS_PREFIX}${name}.json`);
    return object && (JSON.parse(object.text) as unknown);
  }

  public async remove(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  public async reject(report: RejectionReport): Promise<void> {
    const name = report.file.replace(/^incoming\//, '').replace(/\.[^./]*$/, '');
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: `${REJECTIONS_PREFIX}${name}.json`,
        Body: JSON.stringify(report, null, 2),
        ContentType: 'application/json',
      }),
    );
  }
}
