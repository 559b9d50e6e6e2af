#!/usr/bin/env node
import * as cdk from 'aws-cdk-lib';
import { OrdersDatabaseStack } from '../lib/orders-database-stack';

const app = new cdk.App();
new OrdersDatabaseStack(app, 'OrdersDatabase', {
  targetVersion: app.node.tryGetContext('targetVersion') ?? 'latest',
  // -c runnerMode=TaskRunner: the migrations as ECS Fargate tasks (guides/task-runner.md)
  taskRunner: app.node.tryGetContext('runnerMode') === 'TaskRunner',
});
