/**
 * Sender authentication: one SES email identity per sender domain, with Easy DKIM (2048-bit) and a
 * custom MAIL FROM domain (`bounce.<domain>`) so SPF and DKIM both align with the From domain for
 * DMARC. Each identity sends through the configuration set by default, so bounce and complaint
 * feedback keeps flowing. The stack outputs the DNS records each domain must publish.
 */
import { CfnOutput, Stack } from 'aws-cdk-lib';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

/** The MAIL FROM subdomain of every sender domain. */
export const MAIL_FROM_SUBDOMAIN = 'bounce';

export interface SenderIdentitiesProps {
  /** Every sender address of the consortium and its member libraries. */
  readonly senderAddresses: readonly string[];
  readonly configurationSet: ses.IConfigurationSet;
}

/** `notices.riverside.example.org` → `NoticesRiversideExampleOrg`: a stable construct and output id. */
export function domainId(domain: string): string {
  return domain
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1).toLowerCase())
    .join('');
}

export class SenderIdentities extends Construct {
  /** The sender domains, each with its identity. */
  public readonly identities: ReadonlyMap<string, ses.EmailIdentity>;

  public constructor(scope: Construct, id: string, props: SenderIdentitiesProps) {
    super(scope, id);
    const domains = [...new Set(props.senderAddresses.map((address) => address.slice(address.lastIndexOf('@') + 1).toLowerCase()))].sort();
    const stack = Stack.of(this);
    const identities = new Map<string, ses.EmailIdentity>();
    for (const domain of domains) {
      const name = domainId(domain);
      const mailFrom = `${MAIL_FROM_SUBDOMAIN}.${domain}`;
      const identity = new ses.EmailIdentity(this, name, {
        identity: ses.Identity.domain(domain),
        configurationSet: props.configurationSet,
        dkimIdentity: ses.DkimIdentity.easyDkim(ses.EasyDkimSigningKeyLength.RSA_2048_BIT),
        dkimSigning: true,
        mailFromDomain: mailFrom,
        // Until the MX record exists SES uses its own MAIL FROM: mail still goes, SPF just does not align.
        mailFromBehaviorOnMxFailure: ses.MailFromBehaviorOnMxFailure.USE_DEFAULT_VALUE,
      });
      identities.set(domain, identity);
      identity.dkimRecords.forEach((record, index) => {
        new CfnOutput(stack, `SenderDns${name}Dkim${index + 1}`, {
          value: `${record.name} CNAME ${record.value}`,
          description: `Easy DKIM record ${index + 1} of ${domain}`,
        });
      });
      new CfnOutput(stack, `SenderDns${name}MailFromMx`, {
        value: `${mailFrom} MX 10 feedback-smtp.${stack.region}.amazonses.com`,
        description: `Custom MAIL FROM of ${domain}: bounces come back through SES`,
      });
      new CfnOutput(stack, `SenderDns${name}MailFromSpf`, {
        value: `${mailFrom} TXT "v=spf1 include:amazonses.com ~all"`,
        description: `SPF of the MAIL FROM domain of ${domain}`,
      });
    }
    this.identities = identities;
  }
}
