package com.company.database.schemaversion.handlers;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.HandlerEntrypoint;
import com.company.database.schemaversion.HandlerEnvironment;
import com.company.database.schemaversion.HandlerWrapper;
import com.company.database.schemaversion.engine.MigrationSource;
import com.company.database.schemaversion.local.CloudFormationDriver;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.testing.SsmEmulator;
import com.company.database.schemaversion.testing.TestDatabase;
import com.company.database.schemaversion.testing.TestModels;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a handler takes from where it runs (migration folder, call windows, clock) belongs to the handlers it was
 * built into, not to the JVM: two drivers in one JVM, one deploy inside the other, each keep their own.
 */
class HandlerEnvironmentTest extends AbstractHandlerTest {
    private static final String HISTORY = "SELECT version || ' ' || description FROM public.flyway_schema_history"
            + " ORDER BY installed_rank";

    @Test
    void twoDriversInOneJvmEachKeepTheirOwnMigrationsAndCallWindow() {
        String bakedDatabase = TestDatabase.newDatabase();
        ObjectNode bakedModel = model("7");
        ((ObjectNode) bakedModel.get("Database")).put("Name", bakedDatabase);
        CloudFormationDriver lambda = CloudFormationDriver.quiet().withEnvironment(driver.environment()).withTypeConfiguration(driver.typeConfiguration());
        AtomicReference<Outcome> baked = new AtomicReference<>();
        // A folder in place of the baked set, and one migration per call; between its first and second call, a
        // Create in Lambda's environment runs to the end.
        CloudFormationDriver folder = new CloudFormationDriver("us-east-1", "123456789012", false, 100, e -> {
            if (e.call() == 1) {
                baked.set(lambda.run("CREATE", bakedModel, null));
            }
        }, handlerLog::add).withTypeConfiguration(driver.typeConfiguration()).withEnvironment(driver.environment()
                .withMigrations(MigrationSource.directory(FailedMigrationTest.testSet("fixed-v3")))
                .withCallBudget(Duration.ZERO, Duration.ofSeconds(50)));

        Outcome fromFolder = folder.run("CREATE", model("4"), null);

        assertThat(fromFolder.status()).as(fromFolder.message()).isEqualTo("SUCCESS");
        assertThat(fromFolder.calls()).as("one migration per call").isEqualTo(4);
        assertThat(query(HISTORY)).containsExactly("1 create customers", "2 create orders", "3 add order notes",
                "4 index orders by status");
        assertThat(baked.get().status()).as(baked.get().message()).isEqualTo("SUCCESS");
        assertThat(baked.get().calls()).as("Lambda's call window: the whole baked set in one call").isEqualTo(1);
        assertThat(TestDatabase.query(bakedDatabase, HISTORY)).hasSize(7).contains("3 constrain order status")
                .doesNotContain("3 add order notes");
    }

    @Test
    void theHandlersCallTheSsmTheirEnvironmentNames() throws Exception {
        // The login exists only in a second SSM, which only this driver's environment names: the process-wide
        // setting (the first SSM, for the runners the test Lambda hosts) is not what the handlers use.
        try (SsmEmulator second = new SsmEmulator()) {
            second.put("/test/second/username", "String", TestDatabase.USER);
            second.put("/test/second/password", "SecureString", TestDatabase.PASSWORD);
            useEnvironment(e -> e.withAwsEndpoints(e.aws().endpoints().withSsm(URI.create(second.endpoint()))));
            ObjectNode m = TestModels.onTestDatabase(database, "/test/second/username", "/test/second/password");
            m.put("MigrationSet", "orders").put("TargetVersion", "1");
            m.putObject("Placeholders").put("AppRole", "orders_app");

            Outcome created = driver.run("CREATE", m, null);

            assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
            assertThat(second.names()).as("the resource's record, written where the environment says")
                    .anyMatch(n -> !n.startsWith("/test/second/"));
            assertThat(ssm().names()).noneMatch(n -> !n.startsWith("/orders/"));
        }
    }

    @Test
    void theGeneratedWrapperStillBuildsEveryHandlerForLambda() throws Exception {
        // cfn generate writes the wrapper, which builds its handlers with their no-arg constructors.
        java.lang.reflect.Field field = HandlerWrapper.class.getDeclaredField("handlers");
        field.setAccessible(true);
        Map<?, ?> handlers = (Map<?, ?>) field.get(new HandlerWrapper());
        assertThat(handlers).hasSize(5);
        assertThat(handlers.values()).allSatisfy(h -> assertThat(h).extracting("environment")
                .isInstanceOf(HandlerEnvironment.class));
    }

    @Test
    void theEntrypointBuildsOneEnvironmentPerContainerAndEveryHandlerUsesIt() throws Exception {
        // What Lambda runs: one entrypoint per container; its handlers share its environment (clients, engines).
        HandlerEntrypoint entrypoint = new HandlerEntrypoint();
        java.lang.reflect.Field field = HandlerEntrypoint.class.getDeclaredField("handlers");
        field.setAccessible(true);
        Map<?, ?> handlers = (Map<?, ?>) field.get(entrypoint);
        assertThat(handlers).hasSize(5);
        assertThat(handlers.values()).allSatisfy(h -> assertThat(h).extracting("environment")
                .isSameAs(entrypoint.environment()));
        assertThat(new HandlerEntrypoint().environment().engines()).as("another container's entrypoint: its own caches")
                .isNotSameAs(entrypoint.environment().engines());
    }
}
