package com.company.database.schemaversion.vpc;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.aws.LambdaRunners;
import com.company.database.schemaversion.engine.MigrationSource;
import com.company.database.schemaversion.local.LocalLambda;
import com.company.database.schemaversion.runner.LambdaRunnerPackage;
import com.company.database.schemaversion.testing.TestLambda;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Handler tests in Execution.Mode VpcRunner: the Lambda emulator runs the runner in this JVM against the
 * embedded PostgreSQL, and the runner reads its credentials from the same SSM emulator as the handler.
 */
public abstract class AbstractVpcRunnerTest extends AbstractHandlerTest {
    protected static final String SUBNET_A = "subnet-0a1b2c3d4e5f60718";
    protected static final String SUBNET_B = "subnet-0b1b2c3d4e5f60718";
    protected static final String SECURITY_GROUP = "sg-0a1b2c3d4e5f60718";
    protected static final String ROLE = "arn:aws:iam::123456789012:role/schemaversion-runner";
    protected static LocalLambda lambda() {
        return TestLambda.shared();
    }

    @BeforeEach
    void setUpLambda() {
        lambda().reset();
        useRunnerPackage(LambdaRunnerPackage.ofZip(runnerPackage("v1")));
    }

    @AfterEach
    void tearDownLambda() {
        // For the -output.txt report: what each handler call answered and how long it took.
        synchronized (events) {
            events.forEach(e -> System.out.println(e.action() + " #" + e.call() + " " + e.status() + " " + e.millis()
                    + " ms: " + e.message()));
        }
        lambda().runnerLog().forEach(l -> System.out.println("runner: " + l));
        lambda().awaitIdle();
        lambda().hostRunnersWith(null);
    }

    /** The folder replaces the baked sets for the runners the test Lambda hosts too (until the test ends). */
    @Override
    protected void useMigrations(MigrationSource migrations) {
        super.useMigrations(migrations);
        lambda().hostRunnersWith(migrations);
    }

    /** The runner code the handlers of this test upload (before the account's extra CA certificates). */
    protected LambdaRunnerPackage runnerCode() {
        return driver.environment().runnerPackage();
    }

    /** A stand-in deployment package: the emulator runs the runner classes of this JVM, whatever the zip holds. */
    protected static byte[] runnerPackage(String marker) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("marker.txt"));
            zip.write(marker.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    protected ObjectNode vpcModel(String target) {
        ObjectNode m = model(target);
        ObjectNode x = m.putObject("Execution");
        x.put("Mode", "VpcRunner");
        x.putArray("SubnetIds").add(SUBNET_A);
        x.putArray("SecurityGroupIds").add(SECURITY_GROUP);
        x.put("RoleArn", ROLE);
        return m;
    }

    /** Nothing at all was created in the schema, not even Flyway's history table. */
    protected java.util.List<String> tablesInSchema() {
        return query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
    }

    protected String functionOf(String id) {
        return LambdaRunners.functionName(id);
    }

    protected String onlyFunction() {
        return lambda().functionNames().iterator().next();
    }

    /**
     * A migration folder of the given scripts, used by handler and runner instead of the baked set. Not under
     * java.io.tmpdir: the rpdk wrapper empties that on every call.
     */
    protected static MigrationSource migrations(Map<String, String> scripts) {
        try {
            Path set = Files.createDirectories(Path.of("target", "vpc-migrations", UUID.randomUUID().toString(), "set"));
            for (Map.Entry<String, String> e : scripts.entrySet()) {
                Files.writeString(set.resolve(e.getKey()), e.getValue());
            }
            return MigrationSource.directory(set);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
