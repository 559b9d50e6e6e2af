package com.company.database.schemaversion.local;

import com.company.database.schemaversion.local.LocalRunnerHarness.Run;
import com.company.database.schemaversion.testing.TestDatabase;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TemplateReaderTest {
    private static final String TEMPLATE = """
            AWSTemplateFormatVersion: '2010-09-09'
            Parameters:
              Env:
                Type: String
                Default: staging
              Target:
                Type: String
            Resources:
              OrdersDb:
                Type: AWS::RDS::DBInstance
                Properties:
                  Engine: postgres
              OrdersSchema:
                Type: Company::Database::SchemaVersion
                Properties:
                  Database:
                    Host: !GetAtt OrdersDb.Endpoint.Address
                    Port: !GetAtt [OrdersDb, Endpoint.Port]
                    Name: !Ref DbName
                    SslMode: disable
                  Credentials:
                    UsernameParameter: !Sub /${Env}/orders/username
                    PasswordParameter: !Sub
                      - /${Env}/orders/${Kind}
                      - Kind: password
                  MigrationSet: orders
                  TargetVersion: !Ref Target
                  Placeholders:
                    AppRole: !Join ['_', [orders, !Ref Env]]
                  Timeouts:
                    ConnectWaitMinutes: 0
            """;

    @Test
    void resolvesShortFormRefGetAttSubAndJoin() throws Exception {
        Path file = write(TEMPLATE);

        ObjectNode p = TemplateReader.properties(file, "OrdersSchema", Map.of(
                "OrdersDb.Endpoint.Address", "orders.abc.eu-central-1.rds.amazonaws.com",
                "OrdersDb.Endpoint.Port", "5432", "DbName", "orders", "Target", "5"));

        assertThat(p.path("Database").path("Host").asText()).isEqualTo("orders.abc.eu-central-1.rds.amazonaws.com");
        assertThat(p.path("Database").path("Port").asText()).isEqualTo("5432");
        assertThat(p.path("Database").path("Name").asText()).isEqualTo("orders");
        assertThat(p.path("Credentials").path("UsernameParameter").asText()).isEqualTo("/staging/orders/username");
        assertThat(p.path("Credentials").path("PasswordParameter").asText()).isEqualTo("/staging/orders/password");
        assertThat(p.path("TargetVersion").asText()).isEqualTo("5");
        assertThat(p.path("Placeholders").path("AppRole").asText()).isEqualTo("orders_staging");
        assertThat(p.path("Timeouts").path("ConnectWaitMinutes").isInt()).isTrue();
    }

    @Test
    void aCommandLineParamOverridesTheTemplateDefault() throws Exception {
        ObjectNode p = TemplateReader.properties(write(TEMPLATE), "OrdersSchema", Map.of(
                "OrdersDb.Endpoint.Address", "h", "OrdersDb.Endpoint.Port", "1", "DbName", "d", "Target", "1", "Env", "prod"));
        assertThat(p.path("Credentials").path("UsernameParameter").asText()).isEqualTo("/prod/orders/username");
    }

    @Test
    void saysWhichValueIsMissingAndHowToGiveIt() throws Exception {
        Path file = write(TEMPLATE);
        assertThatThrownBy(() -> TemplateReader.properties(file, "OrdersSchema", Map.of("DbName", "d", "Target", "1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("OrdersSchema.Properties.Database.Host")
                .hasMessageContaining("--param OrdersDb.Endpoint.Address=VALUE");
        assertThatThrownBy(() -> TemplateReader.properties(file, "Nope", Map.of()))
                .hasMessageContaining("has no resource Nope").hasMessageContaining("OrdersSchema");
        assertThatThrownBy(() -> TemplateReader.properties(file, "OrdersDb", Map.of()))
                .hasMessageContaining("is a AWS::RDS::DBInstance");
    }

    @Test
    void theCliCreatesFromATemplateWithTheDatabaseAsGiven() throws Exception {
        LocalRunnerHarness h = new LocalRunnerHarness();
        Path file = write(TEMPLATE);

        Run create = h.raw("create", "--template", file.toString(), "--resource", "OrdersSchema", "--as-is",
                "--param", "OrdersDb.Endpoint.Address=127.0.0.1",
                "--param", "OrdersDb.Endpoint.Port=" + TestDatabase.port(),
                "--param", "DbName=" + h.database, "--param", "Target=2",
                "--param", "Env=orders");
        // The template names /orders/orders/username: not in the harness's parameters file.
        assertThat(create.exitCode()).isEqualTo(1);
        assertThat(create.out()).contains("CREATE_FAILED", "/orders/orders/username");
        // The credentials are checked before the claim, so nothing was claimed and the failed event names
        // nothing: the rollback has nothing to delete, and a second try can claim the schema.
        assertThat(create.out()).contains("ROLLBACK complete: the failed Create named no resource");

        Files.writeString(h.parameters, """
                {"/orders/orders/username": "postgres", "/orders/orders/password": "postgres"}""");
        Run again = h.raw("create", "--template", file.toString(), "--resource", "OrdersSchema", "--as-is",
                "--param", "OrdersDb.Endpoint.Address=127.0.0.1",
                "--param", "OrdersDb.Endpoint.Port=" + TestDatabase.port(),
                "--param", "DbName=" + h.database, "--param", "Target=2",
                "--param", "Env=orders");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.out()).contains("OrdersSchema", "CREATE_COMPLETE");
        assertThat(h.history()).containsExactly("1", "2");
        assertThat(h.query("SELECT rolname FROM pg_roles WHERE rolname = 'orders_orders'")).isEmpty();
    }

    private static Path write(String text) throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "local-runner-tests", "templates").toAbsolutePath());
        Path file = Files.createTempFile(dir, "template", ".yaml");
        Files.writeString(file, text);
        return file;
    }
}
