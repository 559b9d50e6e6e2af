package com.company.database.schemaversion.policy;

import com.company.database.schemaversion.Execution;
import com.company.database.schemaversion.ResourceModel;

/**
 * The Execution.Mode names as the schema spells them, and the questions the policy's rules ask of a model. The
 * handlers choose their mode elsewhere (ExecutionMode.of); these answer only what validation needs: whether the
 * model asks for a runner in the customer's subnets at all, and whether its migrations run as a task.
 */
public final class RunnerModes {
    public static final String DIRECT = "Direct";
    public static final String VPC_RUNNER = "VpcRunner";
    public static final String TASK_RUNNER = "TaskRunner";

    private RunnerModes() {
    }

    /** The model's Execution.Mode, Direct when it names none. */
    public static String mode(ResourceModel m) {
        Execution x = m == null ? null : m.getExecution();
        return x == null || x.getMode() == null ? DIRECT : x.getMode();
    }

    /** Execution.Mode TaskRunner: a runner function for the short operations, ECS tasks for the migrations. */
    public static boolean isTaskRunner(ResourceModel m) {
        return TASK_RUNNER.equals(mode(m));
    }

    /** VpcRunner or TaskRunner: both keep a runner function in SubnetIds with SecurityGroupIds, as RoleArn. */
    public static boolean usesRunnerFunction(ResourceModel m) {
        String mode = mode(m);
        return VPC_RUNNER.equals(mode) || TASK_RUNNER.equals(mode);
    }
}
