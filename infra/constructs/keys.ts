/**
 * Bookdrop's KMS keys (customer managed):
 * - `dataKey` encrypts the table, the queues and their DLQs (rotation on);
 * - `contactKey` is the AWS Encryption SDK key for phone numbers and email addresses (rotation on);
 *   only the functions that write contacts may generate data keys, only those that send may decrypt;
 * - `phoneIndexKey` is an HMAC key for the phone blind index (HMAC keys cannot rotate in KMS).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** The encryption context every contact ciphertext carries (see shared/contacts/contactCrypto.ts). */
const CONTACT_CONTEXT = { 'kms:EncryptionContext:purpose': 'bookdrop-contact' };

export class BookdropKeys extends Construct {
  public readonly dataKey: kms.Key;
  public readonly contactKey: kms.Key;
  public readonly phoneIndexKey: kms.Key;

  public constructor(scope: Construct, id: string) {
    super(scope, id);
    this.dataKey = new kms.Key(this, 'DataKey', {
      description: 'Bookdrop: table, queues and dead-letter queues',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.contactKey = new kms.Key(this, 'ContactKey', {
      description: 'Bookdrop: patron phone numbers and email addresses (AWS Encryption SDK)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.phoneIndexKey = new kms.Key(this, 'PhoneIndexKey', {
      description: 'Bookdrop: keyed hash (blind index) of patron phone numbers',
      keySpec: kms.KeySpec.HMAC_256,
      keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** Encrypt-only: the Encryption SDK's KMS keyring generates a data key per contact. */
  public grantContactEncrypt(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey'],
        resources: [this.contactKey.keyArn],
        conditions: { StringEquals: CONTACT_CONTEXT },
      }),
    );
  }

  /** Decrypt-only, and only for contact ciphertexts. */
  public grantContactDecrypt(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [this.contactKey.keyArn],
        conditions: { StringEquals: CONTACT_CONTEXT },
      }),
    );
  }

  /** Computes the phone blind index. */
  public grantPhoneIndex(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['kms:GenerateMac'], resources: [this.phoneIndexKey.keyArn] }),
    );
  }
}
