package com.company.database.schemaversion.vpc;

import com.company.database.schemaversion.aws.LambdaRunners;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.local.LambdaHooks.InvokeFault;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Every way the hop to the runner can fail keeps its meaning: the right error code and an operator's message. */
class VpcRunnerErrorPathsTest extends AbstractVpcRunnerTest {

    @Test
    void wrongPasswordIsInvalidCredentials() {
        ssm().put(PASSWORD_PARAM, "SecureString", "not-the-password");
        Outcome created = create(vpcModel("3"));
        assertThat(created.errorCode()).as(created.message()).isEqualTo("InvalidCredentials");
        assertThat(created.message()).contains("rejected").contains("28P01").doesNotContain("not-the-password")
                .doesNotContain("\"postgres\"").doesNotContain("'postgres'");
        // The failed Create released its claim, so no Delete will come: its runner function went with it.
        assertThat(lambda().count("DeleteFunction")).isEqualTo(1);
        assertThat(tablesInSchema()).isEmpty();
    }

    @Test
    void missingCredentialParameterIsInvalidRequestNamingIt() {
        ssm().remove(PASSWORD_PARAM);
        Outcome created = create(vpcModel("3"));
        assertThat(created.errorCode()).as(created.message()).isEqualTo("InvalidRequest");
        assertThat(created.message()).contains(PASSWORD_PARAM).contains("VPC runner");
    }

    @Test
    void unreachableDatabaseIsNetworkFailure() {
        ObjectNode model = vpcModel("3");
        ((ObjectNode) model.path("Database")).put("Port", 1);
        Outcome created = create(model);
        assertThat(created.errorCode()).as(created.message()).isEqualTo("NetworkFailure");
        assertThat(created.message()).contains("Cannot reach the database at 127.0.0.1:1");
    }

    @Test
    void failedMigrationIsRolledBackAndReportedWithItsScript() {
        Map<String, String> scripts = new LinkedHashMap<>();
        scripts.put("V1__ok.sql", "CREATE TABLE ok (id int);");
        scripts.put("V2__broken.sql", "CREATE TABLE broken (id int); SELECT * FROM no_such_table;");
        useMigrations(migrations(scripts));
        Outcome created = create(vpcModel("latest"));
        assertThat(created.errorCode()).as(created.message()).isEqualTo("GeneralServiceException");
        assertThat(created.message()).contains("V2__broken.sql failed").contains("no_such_table").contains("rolled back");
        assertThat(history()).containsExactly("1");
        assertThat(query("SELECT count(*) FROM information_schema.tables WHERE table_name = 'broken'")).containsExactly("0");
        assertThat(ssm().names()).noneMatch(n -> n.startsWith("/company-database-schemaversion/runner-steps"));
    }

    @Test
    void aMigrationLongerThanTheRunnersLimitIsCancelledByTheRunnerItself() {
        Map<String, String> scripts = new LinkedHashMap<>();
        scripts.put("V1__endless.sql", "SELECT pg_sleep(30);");
        useMigrations(migrations(scripts));
        lambda().setTimeoutOverride(5);
        ObjectNode model = vpcModel("latest");
        ((ObjectNode) model.path("Timeouts")).put("StatementTimeoutSeconds", 600);
        Outcome created = create(model);
        assertThat(created.errorCode()).as(created.message()).isEqualTo("InvalidRequest");
        assertThat(created.message()).contains("V1__endless.sql").contains("statement_timeout")
                .contains("runner function's 15-minute limit");
        assertThat(history()).isEmpty();
    }

    @Test
    void runnerTimeoutIsReportedAsSuch() {
        lambda().setSyncFault(InvokeFault.TIMEOUT);
        Outcome created = create(vpcModel("3"));
        assertThat(created.errorCode()).as(created.message()).isEqualTo("GeneralServiceException");
        assertThat(created.message()).contains("timed out").contains("Task timed out after 900.00 seconds")
                .contains("/aws/lambda/" + LambdaRunners.NAME_PREFIX);
    }

    @Test
    void runnerCrashIsReportedAsSuch() {
        lambda().setSyncFault(InvokeFault.CRASH);
        Outcome created = create(vpcModel("3"));
        assertThat(created.errorCode()).as(created.message()).isEqualTo("GeneralServiceException");
        assertThat(created.message()).contains("crashed").contains("java.lang.OutOfMemoryError: Java heap space");
    }

    @Test
    void anAsynchronousStepThatNeverStartsFailsAfterFiveMinutes() {
        lambda().dropAsyncInvocations(true);
        // Every reading of the clock moves it a minute on: the per-call budget ends at once and the step's
        // 5-minute start deadline passes after a few calls.
        AtomicLong minutes = new AtomicLong();
        Instant start = Instant.parse("2026-11-25T12:00:00Z");
        useClock(new Clock() {
            public ZoneOffset getZone() { return ZoneOffset.UTC; }
            public Clock withZone(java.time.ZoneId zone) { return this; }
            public Instant instant() { return start.plus(Duration.ofMinutes(minutes.incrementAndGet())); }
        });
        Outcome created = create(vpcModel("3"));
        assertThat(created.errorCode()).as(created.message()).isEqualTo("GeneralServiceException");
        assertThat(created.message()).contains("did not start the step").contains("/aws/lambda/")
                .contains("ssm:PutParameter");
        assertThat(created.events().stream().filter(e -> e.message().contains("(step starting for")).count()).isGreaterThan(1);
        assertThat(tablesInSchema()).isEmpty();
    }

    @Test
    void subnetThatDoesNotExistIsInvalidRequest() {
        lambda().setNetwork(Set.of(SUBNET_B), Set.of(SECURITY_GROUP));
        Outcome created = create(vpcModel("3"));
        assertThat(created.errorCode()).as(created.message()).isEqualTo("InvalidRequest");
        assertThat(created.message()).contains(SUBNET_A).contains("does not exist").contains("Execution.SubnetIds");
        assertThat(lambda().functionNames()).isEmpty();
        assertThat(tablesInSchema()).isEmpty();
    }

    @Test
    void roleLambdaCannotAssumeIsInvalidRequestAfterPropagationRetries() {
        lambda().rejectRole(ROLE);
        Outcome created = create(vpcModel("3"));
        assertThat(created.errorCode()).as(created.message()).isEqualTo("InvalidRequest");
        assertThat(created.message()).contains("cannot be assumed by Lambda").contains("Execution.RoleArn");
        assertThat(lambda().count("CreateFunction")).isEqualTo(LambdaRunners.ROLE_PROPAGATION_ATTEMPTS);
    }

    @Test
    void aNewRoleThatBecomesAssumableIsWaitedFor() {
        lambda().rejectRoleTimes(2);
        Outcome created = create(vpcModel("3"));
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        assertThat(lambda().count("CreateFunction")).isEqualTo(3);
        assertThat(history()).containsExactly("1", "2", "3");
    }

    @Test
    void functionThatFailsToStartIsInvalidRequestWithLambdasReason() {
        lambda().failActivation("InvalidSecurityGroup");
        Outcome created = create(vpcModel("3"));
        assertThat(created.errorCode()).as(created.message()).isEqualTo("InvalidRequest");
        assertThat(created.message()).contains("InvalidSecurityGroup").contains("Execution.SecurityGroupIds");

        // The failed Create released its claim and removed its Failed function: the fixed template deploys anew.
        assertThat(lambda().count("DeleteFunction")).isEqualTo(1);
        lambda().failActivation(null);
        ObjectNode fixed = vpcModel("3");
        ((ObjectNode) fixed.path("Execution")).putArray("SecurityGroupIds").add("sg-0b1b2c3d4e5f60718");
        Outcome again = create(fixed);
        assertThat(again.status()).as(again.message()).isEqualTo("SUCCESS");
        assertThat(lambda().count("CreateFunction")).isEqualTo(2);
        assertThat(history()).containsExactly("1", "2", "3");
    }

    @Test
    void readOfAnIdleFunctionWakesItAndAsksToTryAgain() {
        Outcome created = create(vpcModel("3"));
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        lambda().makeInactive(onlyFunction());

        Outcome read = read(JSON.createObjectNode().put("Id", created.model().path("Id").asText()));

        assertThat(read.errorCode()).as(read.message()).isEqualTo("Throttling");
        assertThat(read.message()).contains("not ready").contains("Inactive");
        assertThat(lambda().configuration(onlyFunction()).path("State").asText()).isEqualTo("Pending");
    }

    @Test
    void functionDeletedOutsideCloudFormationIsNamedOnRead() {
        Outcome created = create(vpcModel("3"));
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        lambda().reset();
        Outcome read = read(JSON.createObjectNode().put("Id", created.model().path("Id").asText()));
        assertThat(read.errorCode()).as(read.message()).isEqualTo("GeneralServiceException");
        assertThat(read.message()).contains("does not exist").contains("Update the stack");
    }

    @Test
    void aLockHeldByAnotherDeploymentFailsTheStepWhichIsRetriedOnceTheLockIsFree() throws Exception {
        Outcome created = create(vpcModel("2"));
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        java.sql.Connection other = com.company.database.schemaversion.testing.TestDatabase.superuser(database);
        try (java.sql.Statement s = other.createStatement()) {
            // Flyway's advisory lock key for "public"."flyway_schema_history".
            s.execute("SELECT pg_advisory_lock(" + (77431708279161L + "\"public\".\"flyway_schema_history\"".hashCode()) + ")");
        }
        java.util.List<com.company.database.schemaversion.local.CloudFormationDriver.Event> seen = new java.util.ArrayList<>();
        com.company.database.schemaversion.local.CloudFormationDriver waiting =
                new com.company.database.schemaversion.local.CloudFormationDriver("us-east-1", "123456789012", false, 200, e -> {
                    seen.add(e);
                    if (e.message().contains("Another deployment is migrating")) {
                        try {
                            other.close(); // the other deployment finishes
                        } catch (java.sql.SQLException ex) {
                            throw new IllegalStateException(ex);
                        }
                    }
                }, handlerLog::add).withTypeConfiguration(driver.typeConfiguration()).withEnvironment(driver.environment());
        ObjectNode to3 = vpcModel("3").put("Id", created.model().path("Id").asText());
        ((ObjectNode) to3.path("Timeouts")).put("ConnectWaitMinutes", 5);

        Outcome updated = waiting.run("UPDATE", to3, created.model());

        assertThat(seen).anyMatch(e -> e.status().equals("IN_PROGRESS") && e.message().contains("Another deployment is migrating"));
        assertThat(updated.status()).as(updated.message()).isEqualTo("SUCCESS");
        assertThat(history()).containsExactly("1", "2", "3");
    }
}
