package com.company.database.schemaversion;

import com.company.database.schemaversion.aws.AwsEndpoints;
import com.company.database.schemaversion.engine.MigrationSource;
import com.company.database.schemaversion.local.CloudFormationDriver;
import com.company.database.schemaversion.runner.LambdaRunnerPackage;
import com.company.database.schemaversion.testing.KmsEmulator;
import com.company.database.schemaversion.testing.SsmEmulator;
import com.company.database.schemaversion.testing.TestDatabase;
import com.company.database.schemaversion.testing.TestLambda;
import com.company.database.schemaversion.testing.TestModels;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Base of the handler tests: a real embedded PostgreSQL with a fresh database per test, the real SSM client
 * pointed at local SSM and KMS emulators, and the CloudFormation driver calling the real wrapper.
 */
public abstract class AbstractHandlerTest {
    protected static final ObjectMapper JSON = new ObjectMapper();
    protected static final String USER_PARAM = "/orders/db/username";
    protected static final String PASSWORD_PARAM = "/orders/db/password";
    private static SsmEmulator ssm;
    private static KmsEmulator kms;

    protected String database;
    protected final List<String> handlerLog = new ArrayList<>();
    protected final List<CloudFormationDriver.Event> events = new ArrayList<>();
    protected CloudFormationDriver driver;

    protected static synchronized SsmEmulator ssm() {
        if (ssm == null) {
            try {
                ssm = new SsmEmulator();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            // The runner functions the test Lambda hosts in this JVM read the same SSM, named in their environment.
            TestLambda.shared().hostRunnersReading(ssm.endpoint());
        }
        return ssm;
    }

    /**
     * The tests' KMS. It starts every test with no key, as an account where the registration template was not
     * deployed (records plain); tests of signed records create the key and its alias.
     */
    protected static synchronized KmsEmulator kms() {
        if (kms == null) {
            try {
                kms = new KmsEmulator();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return kms;
    }

    @BeforeEach
    void setUpDatabaseAndSsm() {
        ssm().reset();
        kms().reset();
        database = TestDatabase.newDatabase();
        ssm().put(USER_PARAM, "String", TestDatabase.USER);
        ssm().put(PASSWORD_PARAM, "SecureString", TestDatabase.PASSWORD);
        driver = new CloudFormationDriver("us-east-1", "123456789012", false, 1_000,
                e -> { synchronized (events) { events.add(e); } },
                l -> { synchronized (handlerLog) { handlerLog.add(l); } })
                .withTypeConfiguration(TestModels.testAccount())
                .withEnvironment(HandlerEnvironment.lambda().withAwsEndpoints(endpoints()));
    }

    /** Where the handlers' clients send their calls: the emulators and the test Lambda. */
    protected static AwsEndpoints endpoints() {
        return AwsEndpoints.SDK_DEFAULT.withSsm(URI.create(ssm().endpoint())).withKms(URI.create(kms().endpoint()))
                .withLambda(URI.create(TestLambda.shared().endpoint()));
    }

    @AfterEach
    void forgetWarmEngines() {
        driver.environment().engines().clear();
    }

    /**
     * The handlers run in Lambda's environment, new for each test, with the emulators' endpoints, unless a test
     * changes it: from then on, for this test's driver.
     */
    protected void useEnvironment(UnaryOperator<HandlerEnvironment> change) {
        driver.withEnvironment(change.apply(driver.environment()));
    }

    protected void useCallBudget(Duration startWindow, Duration hardLimit) {
        useEnvironment(e -> e.withCallBudget(startWindow, hardLimit));
    }

    protected void useClock(Clock clock) {
        useEnvironment(e -> e.withClock(clock));
    }

    /** The runner code the handlers upload and expect, in place of one built from a handler artifact. */
    protected void useRunnerPackage(LambdaRunnerPackage runnerPackage) {
        useEnvironment(e -> e.withRunnerPackage(runnerPackage));
    }

    /** A folder in place of the baked sets (null: the baked sets again). */
    protected void useMigrations(MigrationSource migrations) {
        useEnvironment(e -> e.withMigrations(migrations));
    }

    /** A model for the test database: target version, AppRole placeholder, no TLS (the embedded server has none). */
    protected ObjectNode model(String targetVersion) {
        ObjectNode m = TestModels.onTestDatabase(database, USER_PARAM, PASSWORD_PARAM);
        m.put("MigrationSet", "orders");
        m.put("TargetVersion", targetVersion);
        m.putObject("Placeholders").put("AppRole", "orders_app");
        m.putObject("Timeouts").put("ConnectWaitMinutes", 0);
        return m;
    }

    protected CloudFormationDriver.Outcome create(JsonNode model) {
        return driver.run("CREATE", model, null);
    }

    protected CloudFormationDriver.Outcome read(JsonNode model) {
        return driver.run("READ", model, null);
    }

    protected CloudFormationDriver.Outcome update(JsonNode model, JsonNode previous) {
        return driver.run("UPDATE", model, previous);
    }

    protected CloudFormationDriver.Outcome delete(JsonNode model) {
        return driver.run("DELETE", model, null);
    }

    protected CloudFormationDriver.Outcome list(String nextToken) {
        return driver.run("LIST", JSON.createObjectNode(), null, nextToken);
    }

    /** The Id the handlers derive for a model (what a failed Create no longer names in its answer). */
    protected static String idOf(JsonNode model) {
        try {
            return Translator.idOf(JSON.treeToValue(model, ResourceModel.class));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Versions in the test database's Flyway history, in order of installation. */
    protected List<String> history() {
        return query("SELECT version FROM public.flyway_schema_history WHERE success AND version IS NOT NULL ORDER BY installed_rank");
    }

    protected List<String> query(String sql) {
        return TestDatabase.query(database, sql);
    }
}
