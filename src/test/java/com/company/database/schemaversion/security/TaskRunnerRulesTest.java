package com.company.database.schemaversion.security;

import com.company.database.schemaversion.ConnectionPolicy;
import com.company.database.schemaversion.Credentials;
import com.company.database.schemaversion.Database;
import com.company.database.schemaversion.Execution;
import com.company.database.schemaversion.ResourceModel;
import com.company.database.schemaversion.RunnerPolicy;
import com.company.database.schemaversion.TaskRunnerPolicy;
import com.company.database.schemaversion.Timeouts;
import com.company.database.schemaversion.TypeConfigurationModel;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.policy.AccountPolicy;
import com.company.database.schemaversion.policy.ModelValidation;
import com.company.database.schemaversion.policy.RunnerModes;
import com.company.database.schemaversion.policy.TaskRunnerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Set;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * Execution.Mode TaskRunner's rules without a request: what the model must give, what the account must have
 * configured, and that the mode opens no way around the rules every other mode is held to.
 */
class TaskRunnerRulesTest {
    private static final String HOST = "orders.cluster-abc.eu-west-1.rds.amazonaws.com";
    private static final String ROLE = "arn:aws:iam::123456789012:role/schema-runners/orders";
    private static final String IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/schemaversion-runner@sha256:"
            + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static final String TASK_EXECUTION_ROLE = "arn:aws:iam::123456789012:role/schemaversion-task-execution";

    private static ResourceModel model(String mode, UnaryOperator<Execution.ExecutionBuilder> execution) {
        String prefix = AccountPolicy.DEFAULT_CREDENTIAL_PREFIX + HOST + "/";
        return ResourceModel.builder()
                .database(Database.builder().host(HOST).name("orders").build())
                .credentials(Credentials.builder().usernameParameter(prefix + "username")
                        .passwordParameter(prefix + "password").build())
                .targetVersion("3")
                .execution(execution.apply(Execution.builder().mode(mode)).build())
                .build();
    }

    private static ResourceModel taskModel() {
        return model(RunnerModes.TASK_RUNNER, TaskRunnerRulesTest::network);
    }

    private static Execution.ExecutionBuilder network(Execution.ExecutionBuilder x) {
        return x.subnetIds(Set.of("subnet-0a1b2c3d4e5f60718")).securityGroupIds(Set.of("sg-0123456789abcdef0")).roleArn(ROLE);
    }

    private static TypeConfigurationModel.TypeConfigurationModelBuilder account(TaskRunnerPolicy taskRunner) {
        return TypeConfigurationModel.builder()
                .runner(RunnerPolicy.builder().allowedRoleArns(Set.of("arn:aws:iam::123456789012:role/schema-runners/*")).build())
                .taskRunner(taskRunner);
    }

    private static AccountPolicy configured() {
        return AccountPolicy.of(account(TaskRunnerPolicy.builder().image(IMAGE).executionRoleArn(TASK_EXECUTION_ROLE).build()).build());
    }

    private static String refused(Runnable check) {
        try {
            check.run();
        } catch (ReconcileException e) {
            assertThat(e.reason()).isEqualTo(Reason.INVALID_INPUT);
            return e.getMessage();
        }
        throw new AssertionError("not refused");
    }

    @Test
    void aConfiguredAccountRunsATaskRunnerModel() {
        assertThatCode(() -> ModelValidation.forCreate(taskModel(), configured())).doesNotThrowAnyException();
        assertThat(RunnerModes.isTaskRunner(taskModel())).isTrue();
        assertThat(RunnerModes.usesRunnerFunction(taskModel())).isTrue();
        assertThat(RunnerModes.isTaskRunner(model(RunnerModes.VPC_RUNNER, TaskRunnerRulesTest::network))).isFalse();
        assertThat(RunnerModes.mode(model(null, x -> x))).isEqualTo(RunnerModes.DIRECT);
    }

    @Test
    void theModeNeedsItsSubnetsSecurityGroupsAndRoleLikeVpcRunner() {
        String message = refused(() -> ModelValidation.forCreate(model(RunnerModes.TASK_RUNNER, x -> x.roleArn(ROLE))));
        assertThat(message).isEqualTo("Execution.Mode TaskRunner needs Execution.SubnetIds, Execution.SecurityGroupIds.");
        assertThat(refused(() -> ModelValidation.forCreate(model(RunnerModes.TASK_RUNNER,
                x -> network(x).roleArn(null))))).contains("TaskRunner needs Execution.RoleArn");
        assertThat(refused(() -> ModelValidation.forCreate(model(RunnerModes.DIRECT, TaskRunnerRulesTest::network))))
                .contains("apply only to Execution.Mode VpcRunner and TaskRunner");
    }

    @Test
    void aPublicIpIsOnlyForTheTask() {
        assertThatCode(() -> ModelValidation.forCreate(model(RunnerModes.TASK_RUNNER, x -> network(x).assignPublicIp(true)),
                configured())).doesNotThrowAnyException();
        assertThat(refused(() -> ModelValidation.forCreate(model(RunnerModes.VPC_RUNNER, x -> network(x).assignPublicIp(true)))))
                .contains("Execution.AssignPublicIp applies only to Execution.Mode TaskRunner").contains("Mode VpcRunner");
        assertThat(refused(() -> ModelValidation.forCreate(model(null, x -> x.assignPublicIp(true)))))
                .contains("Mode Direct");
        // false is what every other mode does anyway: nothing is left out.
        assertThatCode(() -> ModelValidation.forCreate(model(RunnerModes.VPC_RUNNER, x -> network(x).assignPublicIp(false))))
                .doesNotThrowAnyException();
    }

    @Test
    void statementsLongerThanFifteenMinutesOnlyInATask() {
        ResourceModel longInTask = taskModel().toBuilder().timeouts(Timeouts.builder().statementTimeoutSeconds(4 * 3600).build()).build();
        assertThatCode(() -> ModelValidation.forCreate(longInTask, configured())).doesNotThrowAnyException();
        ResourceModel longInFunction = model(RunnerModes.VPC_RUNNER, TaskRunnerRulesTest::network).toBuilder()
                .timeouts(Timeouts.builder().statementTimeoutSeconds(901).build()).build();
        assertThat(refused(() -> ModelValidation.forCreate(longInFunction)))
                .contains("StatementTimeoutSeconds 901").contains("only Execution.Mode TaskRunner allows").contains("900");
        ResourceModel atTheLimit = longInFunction.toBuilder().timeouts(Timeouts.builder().statementTimeoutSeconds(900).build()).build();
        assertThatCode(() -> ModelValidation.forCreate(atTheLimit)).doesNotThrowAnyException();
    }

    @Test
    void theModeIsOffUntilTheAdminNamesTheImageAndTheTaskExecutionRole() {
        assertThat(refused(() -> ModelValidation.forCreate(taskModel(), AccountPolicy.of(account(null).build()))))
                .contains("Execution.Mode TaskRunner is off in this account")
                .contains("TaskRunner.Image and TaskRunner.ExecutionRoleArn").contains("set-type-configuration");
        assertThat(refused(() -> ModelValidation.forCreate(taskModel(),
                AccountPolicy.of(account(TaskRunnerPolicy.builder().image(IMAGE).build()).build()))))
                .contains("does not set TaskRunner.ExecutionRoleArn (");
        assertThat(refused(() -> ModelValidation.forCreate(taskModel(),
                AccountPolicy.of(account(TaskRunnerPolicy.builder().executionRoleArn(TASK_EXECUTION_ROLE).build()).build()))))
                .contains("does not set TaskRunner.Image (");
        assertThat(refused(() -> ModelValidation.forCreate(taskModel(), AccountPolicy.defaults())))
                .as("no type configuration at all: the runner role is refused first").contains("Runner.AllowedRoleArns");
    }

    @Test
    void theTaskRoleMustBeOneTheAdminAllows() {
        // The task runs with Execution.RoleArn: a template must not hand a task in the VPC a role of its choosing.
        ResourceModel otherRole = model(RunnerModes.TASK_RUNNER, x -> network(x).roleArn("arn:aws:iam::123456789012:role/admin"));
        assertThat(refused(() -> ModelValidation.forCreate(otherRole, configured())))
                .contains("Execution.RoleArn arn:aws:iam::123456789012:role/admin").contains("Runner.AllowedRoleArns");
        // The task execution role the admin set is not a runner role a template may name.
        ResourceModel executionRole = model(RunnerModes.TASK_RUNNER, x -> network(x).roleArn(TASK_EXECUTION_ROLE));
        assertThat(refused(() -> ModelValidation.forCreate(executionRole, configured()))).contains("Runner.AllowedRoleArns");
    }

    @Test
    void theModeGetsNoPassOnHostsLoginsOrTls() {
        AccountPolicy hostsLimited = AccountPolicy.of(account(TaskRunnerPolicy.builder().image(IMAGE)
                .executionRoleArn(TASK_EXECUTION_ROLE).build())
                .connections(ConnectionPolicy.builder().allowedHosts(Set.of("*.cluster-xyz.eu-west-1.rds.amazonaws.com")).build())
                .build());
        assertThat(refused(() -> ModelValidation.forCreate(taskModel(), hostsLimited))).contains("Connections.AllowedHosts");
        ResourceModel weakTls = taskModel().toBuilder()
                .database(Database.builder().host(HOST).name("orders").sslMode("disable").build()).build();
        assertThat(refused(() -> ModelValidation.forCreate(weakTls, configured()))).contains("Connections.AllowedSslModes");
        ResourceModel foreignLogin = taskModel().toBuilder().credentials(Credentials.builder()
                .usernameParameter("/prod/payments/username").passwordParameter("/prod/payments/password").build()).build();
        assertThat(refused(() -> ModelValidation.forCreate(foreignLogin, configured())))
                .contains("Credentials.AllowedParameterPrefixes");
    }

    @Test
    void aTaskSizeFargateWouldRefuseIsRefusedBeforeAnythingStarts() {
        AccountPolicy tooSmall = AccountPolicy.of(account(TaskRunnerPolicy.builder().image(IMAGE)
                .executionRoleArn(TASK_EXECUTION_ROLE).cpu(4096).memoryMiB(4096).build()).build());
        assertThat(refused(() -> ModelValidation.forCreate(taskModel(), tooSmall)))
                .contains("TaskRunner.Cpu and MemoryMiB cannot run on Fargate")
                .contains("MemoryMiB 4096 does not go with Cpu 4096").contains("8192 to 30720");
    }

    @Test
    void anImageNotExactlyNamedByItsDigestIsRefused() {
        // The schema's pattern lets a trailing line break through ($ before a final terminator in Java's regex).
        for (String image : new String[] {IMAGE + "\n", IMAGE + ":latest", IMAGE.replace("@sha256:", ":"), "Registry/" + IMAGE}) {
            AccountPolicy policy = AccountPolicy.of(account(TaskRunnerPolicy.builder().image(image)
                    .executionRoleArn(TASK_EXECUTION_ROLE).build()).build());
            assertThat(refused(() -> ModelValidation.forCreate(taskModel(), policy)))
                    .contains("TaskRunner.Image is not an image named by its digest");
        }
        assertThat(TaskRunnerSettings.namedByDigest(IMAGE)).isTrue();
        assertThat(TaskRunnerSettings.namedByDigest(null)).isFalse();
    }

    @Test
    void theSettingsHaveTheirDefaults() {
        TaskRunnerSettings none = AccountPolicy.defaults().taskRunner();
        assertThat(none).isEqualTo(new TaskRunnerSettings(null, "default", null,
                "/company-database-schemaversion/task-runner", 512, 1024));
        assertThat(none.enabled()).isFalse();
        assertThat(none.missing()).containsExactly("TaskRunner.Image", "TaskRunner.ExecutionRoleArn");
        assertThat(TaskRunnerSettings.fargateSizeProblem(none.cpu(), none.memoryMiB())).isNull();

        TaskRunnerSettings set = AccountPolicy.of(account(TaskRunnerPolicy.builder().image(IMAGE)
                .executionRoleArn(TASK_EXECUTION_ROLE).cluster("migrations").logGroup("/ecs/migrations")
                .cpu(2048).memoryMiB(8192).build()).build()).taskRunner();
        assertThat(set).isEqualTo(new TaskRunnerSettings(IMAGE, "migrations", TASK_EXECUTION_ROLE, "/ecs/migrations", 2048, 8192));
        assertThat(set.enabled()).isTrue();
        assertThat(set.missing()).isEmpty();
        assertThat(AccountPolicy.of(account(TaskRunnerPolicy.builder().image(" ").cluster("").build()).build()).taskRunner())
                .as("blank values are not set").extracting(TaskRunnerSettings::image, TaskRunnerSettings::cluster)
                .containsExactly(null, "default");
    }

    @ParameterizedTest
    @CsvSource({"256,512", "256,1024", "256,2048", "512,1024", "512,4096", "1024,2048", "1024,8192", "2048,4096",
            "2048,16384", "4096,8192", "4096,30720", "2048,9216"})
    void fargateSizes(int cpu, int memory) {
        assertThat(TaskRunnerSettings.fargateSizeProblem(cpu, memory)).isNull();
    }

    @ParameterizedTest
    @CsvSource({"256,256", "256,1536", "256,3072", "512,512", "512,1536", "512,5120", "1024,1024", "1024,9216",
            "2048,2048", "2048,17408", "4096,4096", "4096,31744", "4096,9000", "300,1024", "8192,16384"})
    void notFargateSizes(int cpu, int memory) {
        assertThat(TaskRunnerSettings.fargateSizeProblem(cpu, memory)).isNotNull().contains(Integer.toString(cpu));
    }
}
