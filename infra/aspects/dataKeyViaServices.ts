/**
 * Confused deputy on the data key: a role may use the data key only through the services that hold
 * data under it (DynamoDB, SQS), never directly. CDK's own grants (queue sends and receives, stream
 * reads, dead-letter destinations) add `kms:*` statements without conditions; this aspect rewrites
 * every IAM policy of the stack at synthesis so each Allow on the data key carries `kms:ViaService`,
 * whichever construct made the grant.
 */
import { Stack, Token, type IAspect, type IResolvable, type IResolveContext } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { IConstruct } from 'constructs';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };

/** The services a role may use the data key through. */
export const DATA_KEY_SERVICES = ['dynamodb', 'sqs'] as const;

export class DataKeyViaServices implements IAspect {
  private readonly seen = new WeakSet<iam.CfnPolicy>();

  public constructor(private readonly key: kms.IKey) {}

  public visit(node: IConstruct): void {
    if (!(node instanceof iam.CfnPolicy) || this.seen.has(node)) return;
    this.seen.add(node);
    const original: unknown = node.policyDocument;
    const restricted: IResolvable = {
      creationStack: [],
      resolve: (context) => this.restrict(context.resolve(original), context, Stack.of(node)),
      toString: () => Token.asString(restricted),
    };
    node.policyDocument = restricted;
  }

  private restrict(document: { Statement: Statement[] }, context: IResolveContext, stack: Stack): unknown {
    const keyArn = JSON.stringify(context.resolve(this.key.keyArn));
    const via = DATA_KEY_SERVICES.map((service) => context.resolve(`${service}.${stack.region}.amazonaws.com`));
    const statements = document.Statement.flatMap((statement): Statement[] => {
      const actions = [statement.Action].flat();
      const resources = [statement.Resource].flat();
      const onKey = resources.filter((resource) => JSON.stringify(resource) === keyArn);
      if (statement.Effect !== 'Allow' || onKey.length === 0 || !actions.every((action) => action.startsWith('kms:'))) return [statement];
      if (statement.Condition?.StringEquals?.['kms:ViaService'] !== undefined) return [statement];
      const others = resources.filter((resource) => JSON.stringify(resource) !== keyArn);
      const condition = { ...statement.Condition, StringEquals: { ...statement.Condition?.StringEquals, 'kms:ViaService': via } };
      const restricted: Statement = { ...statement, Resource: onKey[0], Condition: condition };
      return others.length === 0 ? [restricted] : [{ ...statement, Resource: others.length === 1 ? others[0] : others }, restricted];
    });
    return { ...document, Statement: statements };
  }
}
