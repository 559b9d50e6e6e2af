package com.company.examples.orders;

import software.amazon.awscdk.App;

/** cdk synth's entry point (cdk.json): the orders database stack. */
public final class OrdersDatabaseApp {
    public static void main(final String[] args) {
        App app = new App();
        Object target = app.getNode().tryGetContext("targetVersion");
        // -c runnerMode=TaskRunner: the migrations as ECS Fargate tasks (guides/task-runner.md)
        boolean taskRunner = "TaskRunner".equals(app.getNode().tryGetContext("runnerMode"));
        new OrdersDatabaseStack(app, "OrdersDatabase", target == null ? "latest" : target.toString(), taskRunner);
        app.synth();
    }
}
