package com.company.database.schemaversion.parity;

import com.company.database.schemaversion.engine.MigrationSource;
import com.company.database.schemaversion.local.CloudFormationDriver.Event;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.testing.TestDatabase;
import com.company.database.schemaversion.vpc.AbstractVpcRunnerTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each migration kind applied by the type and by plain Flyway (Flyway.configure()...migrate() with the same
 * settings file and placeholders) on a second database: schema, data and history must be equal, whether the
 * type reaches the target in one operation or two. Run in both execution modes by the subclasses.
 */
abstract class FlywayParitySuite extends AbstractVpcRunnerTest {
    private static final Path SETS = Path.of("src/test/resources/parity").toAbsolutePath();

    /** The database plain Flyway migrates. */
    private String twin;

    abstract boolean vpc();

    private String twin() {
        if (twin == null) {
            twin = TestDatabase.newDatabase();
        }
        return twin;
    }

    /** The set the handler (and the runner) use: what a type version's artifact would carry. */
    private void useSet(String name) {
        // One set name for every folder, as a migration set keeps its name across type versions (MigrationSet is
        // create-only): only its scripts change.
        MigrationSource source = new MigrationSource("parity", "filesystem:" + SETS.resolve(name).toAbsolutePath());
        useMigrations(source);
    }

    private ObjectNode template(String target, Map<String, String> placeholders) {
        ObjectNode m = vpc() ? vpcModel(target) : model(target);
        m.remove("MigrationSet");
        ObjectNode p = m.putObject("Placeholders");
        placeholders.forEach(p::put);
        return m;
    }

    /** Plain Flyway on the twin: the set's flyway.conf and the template's placeholders, as the Flyway CLI merges them. */
    private void flywayMigrate(String set, String target, Map<String, String> placeholders, String baselineVersion) {
        Properties conf = new Properties();
        Path file = SETS.resolve(set).resolve("flyway.conf");
        if (Files.exists(file)) {
            try (Reader r = Files.newBufferedReader(file)) {
                conf.load(r);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        placeholders.forEach((k, v) -> conf.setProperty("flyway.placeholders." + k, v));
        FluentConfiguration config = Flyway.configure()
                .dataSource("jdbc:postgresql://127.0.0.1:" + TestDatabase.port() + "/" + twin(), TestDatabase.USER, TestDatabase.PASSWORD)
                .schemas("public")
                .locations("filesystem:" + SETS.resolve(set))
                .configuration(conf)
                .target(target);
        if (baselineVersion != null) {
            config.baselineOnMigrate(true).baselineVersion(baselineVersion);
        }
        // As the type does: Flyway's default transactional lock would make CREATE INDEX CONCURRENTLY wait forever
        // (LongAndNonTransactionalMigrationsTest shows it).
        config.getPluginRegister().getExact(PostgreSQLConfigurationExtension.class).setTransactionalLock(false);
        config.load().migrate();
    }

    private void assertSameAsFlyway() {
        assertThat(SchemaSnapshot.schema(database)).as("schema").isEqualTo(SchemaSnapshot.schema(twin()));
        assertThat(SchemaSnapshot.data(database)).as("data").isEqualTo(SchemaSnapshot.data(twin()));
        assertThat(SchemaSnapshot.history(database)).as("history").isEqualTo(SchemaSnapshot.history(twin()));
    }

    private static void assertSucceeded(Outcome o) {
        assertThat(o.status()).as(o.message()).isEqualTo("SUCCESS");
    }

    private static List<String> messages(Outcome o) {
        return o.events().stream().map(Event::message).toList();
    }

    private static final Map<String, String> KINDS = Map.of("AppRole", "orders_app", "Carrier", "ups");

    @Test
    void everyKindInOneOperationOneMigrationPerCall() {
        useSet("kinds");
        useCallBudget(Duration.ZERO, Duration.ofSeconds(50));
        Outcome created = create(template("latest", KINDS));
        assertSucceeded(created);
        flywayMigrate("kinds", "latest", KINDS, null);
        assertSameAsFlyway();
        assertThat(query("SELECT name FROM callback_marks ORDER BY 1")).containsExactly("afterEachMigrate", "afterMigrate");
        JsonNode m = created.model();
        assertThat(m.path("AppliedVersion").asText()).isEqualTo("6");
        assertThat(m.path("AppliedCount").asInt()).isEqualTo(10);
        assertThat(m.path("PendingCount").asInt()).isZero();
        if (!vpc()) {
            // Seven versioned and three repeatable scripts: each one's call names it, and the repeatables come last.
            assertThat(messages(created)).contains("applied V5__create_shipments (6 of 10)",
                    "applied V6__orders_note (7 of 10)", "applied R__order_summary (8 of 10)",
                    "applied R__shipment_overview (9 of 10)");
            assertThat(messages(created).get(messages(created).size() - 1)).contains("(10 of 10)");
        }
        Outcome read = read(JSON.createObjectNode().put("Id", m.path("Id").asText()));
        assertThat(read.model().path("DriftStatus").asText()).isEqualTo("InSync");
        assertThat(read.model().path("PendingCount").asInt()).isZero();
    }

    @Test
    void aTargetBelowTheTablesARepeatableNeedsFailsAsUnderFlywayAndChangesNothingMore() {
        useSet("kinds");
        Outcome created = create(template("3", KINDS));
        assertThat(created.status()).isEqualTo("FAILED");
        assertThat(created.message()).contains("R__shipment_overview.sql", "42P01");
        assertThatThrownBy(() -> flywayMigrate("kinds", "3", KINDS, null)).hasMessageContaining("R__shipment_overview.sql");
        assertSameAsFlyway();
    }

    @Test
    void everyKindInTwoOperations() {
        useSet("kinds");
        Outcome created = create(template("5", KINDS));
        assertSucceeded(created);
        // Flyway runs the repeatables whatever the target: the views exist at version 5 already.
        assertThat(query("SELECT count(*) FROM pg_views WHERE schemaname = 'public'")).containsExactly("3");
        ObjectNode latest = template("latest", KINDS).put("Id", created.model().path("Id").asText());
        assertSucceeded(update(latest, created.model()));
        flywayMigrate("kinds", "5", KINDS, null);
        flywayMigrate("kinds", "latest", KINDS, null);
        assertSameAsFlyway();
    }

    @Test
    void aSettingsFileBesideTheScriptsIsHonoured() {
        useSet("settings");
        Map<String, String> placeholders = Map.of("AppRole", "app");
        assertSucceeded(create(template("latest", placeholders)));
        flywayMigrate("settings", "latest", placeholders, null);
        assertSameAsFlyway();
        assertThat(query("SELECT body || '/' || owner FROM templates ORDER BY name"))
                .containsExactly("hello, world/app", "echo ${HOME}/app");
    }

    /**
     * The known difference (guides/migration-kinds.md): a deploy split over calls runs beforeMigrate once per
     * call, and a call stopped by its budget ends its migrate() as Flyway ends one on an error.
     */
    @Test
    void callbacksAroundTheWholeMigrateRunOncePerCall() {
        useSet("callbacks-split");
        useCallBudget(Duration.ZERO, Duration.ofSeconds(50));
        assertSucceeded(create(template("latest", Map.of())));
        flywayMigrate("callbacks-split", "latest", Map.of(), null);
        assertThat(TestDatabase.query(twin(), "SELECT event FROM callback_runs ORDER BY id"))
                .containsExactly("beforeMigrate", "afterMigrate");
        if (!vpc()) {
            assertThat(query("SELECT event FROM callback_runs ORDER BY id"))
                    .containsExactly("beforeMigrate", "afterMigrateError", "beforeMigrate", "afterMigrate");
        }
        assertThat(SchemaSnapshot.history(database)).isEqualTo(SchemaSnapshot.history(twin()));
    }

    @Test
    void aSetCanTurnPlaceholderReplacementOff() {
        useSet("no-placeholders");
        assertSucceeded(create(template("latest", Map.of())));
        flywayMigrate("no-placeholders", "latest", Map.of(), null);
        assertSameAsFlyway();
        assertThat(query("SELECT body FROM mail_templates")).containsExactly("Hello ${first_name}, welcome to ${product}!");
    }

    @Test
    void aNewDatabaseStartsAtTheBaselineMigration() {
        useSet("baseline");
        Outcome created = create(template("latest", Map.of()));
        assertSucceeded(created);
        flywayMigrate("baseline", "latest", Map.of(), null);
        assertSameAsFlyway();
        assertThat(query("SELECT script FROM public.flyway_schema_history ORDER BY installed_rank"))
                .containsExactly("B3__squashed.sql", "V4__ledger_memo.sql", "V5__ledger_index.sql", "R__balances.sql");
        assertThat(created.model().path("DriftStatus").asText()).isEqualTo("InSync");
    }

    @Test
    void aTargetBelowTheBaselineGetsTheBaselineAsFlywayDoes() {
        useSet("baseline");
        Outcome created = create(template("2", Map.of()));
        assertSucceeded(created);
        assertThat(created.model().path("AppliedVersion").asText()).isEqualTo("3");
        flywayMigrate("baseline", "2", Map.of(), null);
        assertSameAsFlyway();
    }

    @Test
    void aBaselineInTwoOperations() {
        useSet("baseline");
        Outcome created = create(template("4", Map.of()));
        assertSucceeded(created);
        ObjectNode latest = template("latest", Map.of()).put("Id", created.model().path("Id").asText());
        assertSucceeded(update(latest, created.model()));
        flywayMigrate("baseline", "4", Map.of(), null);
        flywayMigrate("baseline", "latest", Map.of(), null);
        assertSameAsFlyway();
    }

    @Test
    void aDatabaseBuiltBeforeTheBaselineWasAddedIgnoresItAndMovesOn() {
        useSet("baseline-before");
        Outcome created = create(template("latest", Map.of()));
        assertSucceeded(created);
        flywayMigrate("baseline-before", "latest", Map.of(), null);
        // The next type version's artifact: the project squashed V1..V3 into B3 and added V4, V5.
        useSet("baseline");
        String id = created.model().path("Id").asText();
        Outcome read = read(JSON.createObjectNode().put("Id", id));
        assertThat(read.model().path("DriftStatus").asText()).as(read.model().toString()).isEqualTo("InSync");
        Outcome updated = update(template("5", Map.of()).put("Id", id), created.model());
        assertSucceeded(updated);
        flywayMigrate("baseline", "5", Map.of(), null);
        assertSameAsFlyway();
        assertThat(updated.model().path("DriftStatus").asText()).isEqualTo("InSync");
    }

    @Test
    void versionsAsWrittenInFileNames() {
        useSet("versions");
        Outcome created = create(template("1_14", Map.of()));
        assertSucceeded(created);
        assertThat(created.model().path("ResolvedTargetVersion").asText()).isEqualTo("1.14");
        assertThat(created.model().path("AppliedVersion").asText()).isEqualTo("1.14");
        ObjectNode latest = template("latest", Map.of()).put("Id", created.model().path("Id").asText());
        assertSucceeded(update(latest, created.model()));
        flywayMigrate("versions", "1_14", Map.of(), null);
        flywayMigrate("versions", "latest", Map.of(), null);
        assertSameAsFlyway();
        assertThat(query("SELECT version FROM versions_seen ORDER BY version"))
                .containsExactly("001", "002", "1.14", "1.15", "20240115.1030", "20240116");
    }

    @Test
    void anEditedRepeatableIsPendingUntilTheNextUpdateAppliesIt() {
        useSet("views-v1");
        Outcome created = create(template("latest", Map.of("AppRole", "a")));
        assertSucceeded(created);
        flywayMigrate("views-v1", "latest", Map.of(), null);
        String id = created.model().path("Id").asText();
        // A new type version whose only change is the view.
        useSet("views-v2");
        Outcome read = read(JSON.createObjectNode().put("Id", id));
        assertThat(read.model().path("PendingCount").asInt()).isEqualTo(1);
        assertThat(read.model().path("AppliedVersion").asText()).isEqualTo("2");
        assertThat(read.model().path("DriftStatus").asText()).isEqualTo("InSync");
        // Any property change makes CloudFormation call Update (the "latest" trap: without one, nothing runs).
        Outcome updated = update(template("latest", Map.of("AppRole", "b")).put("Id", id), created.model());
        assertSucceeded(updated);
        assertThat(updated.model().path("PendingCount").asInt()).isZero();
        assertThat(query("SELECT count(*) FROM information_schema.columns WHERE table_name = 'catalog' AND column_name = 'stock'"))
                .containsExactly("1");
        flywayMigrate("views-v2", "latest", Map.of(), null);
        assertSameAsFlyway();
    }

    @Test
    void aScriptAboveTheTargetIsNeitherReadNorValidated() {
        useSet("above-target");
        Map<String, String> none = Map.of("AppRole", "a");
        Outcome created = create(template("2", none));
        assertSucceeded(created);
        String id = created.model().path("Id").asText();
        Outcome read = read(JSON.createObjectNode().put("Id", id));
        assertThat(read.status()).as(read.message()).isEqualTo("SUCCESS");
        assertThat(read.model().path("PendingCount").asInt()).isEqualTo(1);
        Outcome rollback = update(template("1", none).put("Id", id), created.model());
        assertSucceeded(rollback);
        flywayMigrate("above-target", "2", Map.of(), null);
        assertSameAsFlyway();
        // The deploy that would run it is refused before anything runs, naming the placeholder.
        Outcome tooFar = update(template("latest", none).put("Id", id), rollback.model());
        assertThat(tooFar.status()).isEqualTo("FAILED");
        assertThat(tooFar.errorCode()).isEqualTo("InvalidRequest");
        assertThat(tooFar.message()).contains("${Region}");
        assertThat(history()).containsExactly("1", "2");
    }

    @Test
    void adoptionTakesOverASchemaMadeBeforeTheType() {
        useSet("baseline-before");
        String v1 = read(SETS.resolve("baseline-before/V1__accounts.sql"));
        String v2 = read(SETS.resolve("baseline-before/V2__accounts_unique_email.sql"));
        TestDatabase.execute(database, v1 + v2);
        TestDatabase.execute(twin(), v1 + v2);
        ObjectNode m = template("latest", Map.of());
        m.putObject("Adoption").put("BaselineVersion", "2");
        Outcome created = create(m);
        assertSucceeded(created);
        assertThat(messages(created)).anyMatch(s -> s.startsWith("Adopted schema public at version 2. Before: "));
        flywayMigrate("baseline-before", "latest", Map.of(), "2");
        assertSameAsFlyway();
        assertThat(created.model().path("AppliedVersion").asText()).isEqualTo("3");
    }

    @Test
    void withoutAdoptionASchemaWithObjectsButNoHistoryIsRefusedAsFlywayRefusesIt() {
        useSet("baseline-before");
        TestDatabase.execute(database, "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL)");
        Outcome refused = create(template("latest", Map.of()));
        assertThat(refused.status()).isEqualTo("FAILED");
        assertThat(refused.errorCode()).isEqualTo("InvalidRequest");
        assertThat(refused.message()).contains("no Flyway history", "Adoption");
        assertThat(tablesInSchema()).containsExactly("accounts");
    }

    @Test
    void adoptionOfAnEmptySchemaOrAnUnknownVersionIsRefusedAndChangesNothing() {
        useSet("baseline-before");
        ObjectNode empty = template("latest", Map.of());
        empty.putObject("Adoption").put("BaselineVersion", "2");
        Outcome refused = create(empty);
        assertThat(refused.status()).isEqualTo("FAILED");
        assertThat(refused.errorCode()).isEqualTo("InvalidRequest");
        assertThat(refused.message()).contains("empty");
        assertThat(tablesInSchema()).isEmpty();

        TestDatabase.execute(database, "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL)");
        ObjectNode unknown = template("latest", Map.of());
        unknown.putObject("Adoption").put("BaselineVersion", "9");
        Outcome refusedAgain = create(unknown);
        assertThat(refusedAgain.errorCode()).isEqualTo("InvalidRequest");
        assertThat(refusedAgain.message()).contains("not a version of the migration set");
        assertThat(tablesInSchema()).containsExactly("accounts");

        // Someone baselined this schema at 1 with Flyway already: adopting it at 2 would skip V2 unseen.
        Flyway.configure().dataSource("jdbc:postgresql://127.0.0.1:" + TestDatabase.port() + "/" + database,
                TestDatabase.USER, TestDatabase.PASSWORD).schemas("public").baselineVersion("1").load().baseline();
        List<String> historyBefore = SchemaSnapshot.history(database);
        ObjectNode other = template("latest", Map.of());
        other.putObject("Adoption").put("BaselineVersion", "2");
        Outcome refusedThird = create(other);
        assertThat(refusedThird.errorCode()).isEqualTo("InvalidRequest");
        assertThat(refusedThird.message()).contains("whose Flyway history has a baseline at 1");
        assertThat(SchemaSnapshot.history(database)).isEqualTo(historyBefore);
        assertThat(tablesInSchema()).containsExactlyInAnyOrder("accounts", "flyway_schema_history");
    }

    @Test
    void repairRemovesTheNamedFailedRowOnlyAndTheDeployCarriesOn() {
        useMigrations(MigrationSource.directory(Path.of("src/test/resources/hardening/cicfail").toAbsolutePath()));
        Outcome failed = create(template("latest", Map.of()));
        assertThat(failed.status()).isEqualTo("FAILED");
        String rank = query("SELECT installed_rank FROM public.flyway_schema_history WHERE NOT success").get(0);

        // A request naming another row (a stale value, a typo) changes nothing.
        ObjectNode stale = template("latest", Map.of());
        stale.putObject("Repair").put("FailedVersion", "2").put("InstalledRank", Integer.parseInt(rank) + 7);
        Outcome blocked = create(stale);
        assertThat(blocked.status()).isEqualTo("FAILED");
        assertThat(messages(blocked)).anyMatch(s -> s.contains("changed nothing"));
        assertThat(query("SELECT count(*) FROM public.flyway_schema_history WHERE NOT success")).containsExactly("1");

        // The operator cleans up by hand what the non-transactional script left, then asks for the repair.
        TestDatabase.execute(database, "DROP INDEX CONCURRENTLY items_name_key");
        TestDatabase.execute(database, "DELETE FROM items WHERE id > 100");
        ObjectNode repair = template("latest", Map.of());
        repair.putObject("Repair").put("FailedVersion", "2").put("InstalledRank", Integer.parseInt(rank));
        Outcome repaired = create(repair);
        assertSucceeded(repaired);
        assertThat(messages(repaired)).anyMatch(s -> s.contains("Before: V2__unique_item_names.sql (version 2, history row "
                + rank + ") marked failed. After: that row is removed"));
        assertThat(history()).containsExactly("1", "2");
        assertThat(query("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'public.items_name_key'::regclass"))
                .containsExactly("true");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
