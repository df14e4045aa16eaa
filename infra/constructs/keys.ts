/**
 * Bookdrop's KMS keys (customer managed):
 * - `dataKey` encrypts the table, the queues and their DLQs and the function logs (rotation on);
 * - `topicKey` encrypts the inbound topics (SES feedback, inbound SMS); apart from the data key because the
 *   data key's policy names those topics (SNS may use it for their subscriptions only), and a topic
 *   encrypted with the key that names it would be a dependency cycle (rotation on);
 * - `contactKey` is the AWS Encryption SDK key for phone numbers and email addresses (rotation on). Its
 *   policy is its own, not the account default: the account may administer it but not use it; only the
 *   roles given {@link BookdropKeys.grantContactEncrypt} may encrypt, and only the roles given
 *   {@link BookdropKeys.grantContactDecrypt} (the notifier, the privacy officer) may decrypt;
 * - `phoneIndexKey` is an HMAC key for the phone blind index (HMAC keys cannot rotate in KMS);
 * - `noticeIdKey` is an HMAC key from which the notifier derives unguessable notice ids.
 */
import { Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** The encryption context every contact ciphertext carries (see shared/contacts/contactCrypto.ts). */
const CONTACT_CONTEXT = { 'kms:EncryptionContext:purpose': 'bookdrop-contact' };

/**
 * What the account (and so any administrator it delegates to through IAM) may do with the contact key:
 * manage it, never use it. No `kms:CreateGrant` either: a grant would be a way around the policy.
 */
export const CONTACT_KEY_ADMIN_ACTIONS = [
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListResourceTags',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:PutKeyPolicy',
  'kms:UpdateKeyDescription',
  'kms:EnableKey',
  'kms:DisableKey',
  'kms:EnableKeyRotation',
  'kms:DisableKeyRotation',
  'kms:RotateKeyOnDemand',
  'kms:CreateAlias',
  'kms:UpdateAlias',
  'kms:DeleteAlias',
  'kms:RevokeGrant',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
];

export interface BookdropKeysProps {
  /** IAM role of the privacy officer, who may decrypt contacts for the patron data report. */
  readonly privacyOfficerRoleArn?: string | undefined;
}

export class BookdropKeys extends Construct {
  public readonly dataKey: kms.Key;
  public readonly topicKey: kms.Key;
  public readonly contactKey: kms.Key;
  public readonly phoneIndexKey: kms.Key;
  public readonly noticeIdKey: kms.Key;
  private readonly contactDecrypters: string[] = [];

  public constructor(scope: Construct, id: string, props: BookdropKeysProps = {}) {
    super(scope, id);
    const { region, account, partition } = Stack.of(this);
    this.dataKey = new kms.Key(this, 'DataKey', {
      description: 'Bookdrop: table, queues, dead-letter queues and function logs',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch Logs encrypts this stack's log groups with the data key, and nothing else of it.
    this.dataKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'LogsEncryptLogGroupsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*` } },
      }),
    );
    this.topicKey = new kms.Key(this, 'TopicKey', {
      description: 'Bookdrop: inbound topics (SES feedback, inbound SMS)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.contactKey = new kms.Key(this, 'ContactKey', {
      description: 'Bookdrop: patron phone numbers and email addresses (AWS Encryption SDK)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'AccountAdministersButCannotUse',
            principals: [new iam.AccountRootPrincipal()],
            actions: CONTACT_KEY_ADMIN_ACTIONS,
            resources: ['*'],
          }),
          new iam.PolicyStatement({
            sid: 'OnlyNamedRolesDecrypt',
            effect: iam.Effect.DENY,
            principals: [new iam.AnyPrincipal()],
            actions: ['kms:Decrypt', 'kms:ReEncryptFrom', 'kms:CreateGrant'],
            resources: ['*'],
            conditions: {
              ArnNotEquals: { 'aws:PrincipalArn': Lazy.list({ produce: () => [...this.contactDecrypters] }) },
            },
          }),
        ],
      }),
    });
    if (props.privacyOfficerRoleArn !== undefined) {
      const officer = iam.Role.fromRoleArn(this, 'PrivacyOfficer', props.privacyOfficerRoleArn, { mutable: false });
      this.allowContactDecrypt(officer, 'PrivacyOfficerDecrypts');
    }
    this.phoneIndexKey = new kms.Key(this, 'PhoneIndexKey', {
      description: 'Bookdrop: keyed hash (blind index) of patron phone numbers',
      keySpec: kms.KeySpec.HMAC_256,
      keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.noticeIdKey = new kms.Key(this, 'NoticeIdKey', {
      description: 'Bookdrop: derives unguessable notice ids (referred to by SES feedback and outbound events)',
      keySpec: kms.KeySpec.HMAC_256,
      keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** Encrypt-only: the Encryption SDK's KMS keyring generates a data key per registration (the contacts sealed together share one: docs/decisions/0010-one-data-key-per-registration.md). */
  public grantContactEncrypt(grantee: iam.IGrantable): void {
    const statement = {
      actions: ['kms:GenerateDataKey'],
      conditions: { StringEquals: CONTACT_CONTEXT },
    };
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ ...statement, resources: [this.contactKey.keyArn] }));
    // The key policy must name the role itself: the account root holds no use of this key.
    this.contactKey.addToResourcePolicy(new iam.PolicyStatement({ ...statement, principals: [grantee.grantPrincipal], resources: ['*'] }));
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
    this.allowContactDecrypt(grantee.grantPrincipal as iam.IPrincipal & { readonly roleArn?: string });
  }

  private allowContactDecrypt(principal: iam.IPrincipal & { readonly roleArn?: string }, sid?: string): void {
    const arn = principal.roleArn;
    if (arn === undefined) throw new Error('only an IAM role may decrypt contacts');
    this.contactDecrypters.push(arn);
    this.contactKey.addToResourcePolicy(
      new iam.PolicyStatement({
        ...(sid ? { sid } : {}),
        principals: [principal],
        actions: ['kms:Decrypt'],
        resources: ['*'],
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

  /** Derives the notice-id key (one `kms:GenerateMac` per cold start). */
  public grantNoticeIds(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['kms:GenerateMac'], resources: [this.noticeIdKey.keyArn] }),
    );
  }
}
