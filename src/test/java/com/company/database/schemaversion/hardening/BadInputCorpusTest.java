package com.company.database.schemaversion.hardening;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.testing.TestDatabase;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bad-input corpus (src/test/resources/bad-inputs/corpus.json): every malformed or hostile input gets the
 * right error code and a message naming what is wrong, and leaves the database (schema, data, history) and the
 * resource records exactly as they were.
 */
class BadInputCorpusTest extends AbstractHandlerTest {

    static Stream<Arguments> corpus() throws IOException {
        try (InputStream in = BadInputCorpusTest.class.getClassLoader().getResourceAsStream("bad-inputs/corpus.json")) {
            JsonNode cases = JSON.readTree(in).get("cases");
            List<Arguments> all = new ArrayList<>();
            cases.forEach(c -> all.add(Arguments.of(c.get("name").asText(), c)));
            return all.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void badInputIsRefusedAndChangesNothing(String name, JsonNode c) throws Exception {
        ObjectNode base = model("3");
        JsonNode previous = null;
        String prepare = c.path("prepare").asText("flyway");
        if (prepare.equals("flyway")) {
            Flyway.configure()
                    .dataSource("jdbc:postgresql://127.0.0.1:" + TestDatabase.port() + "/" + database, TestDatabase.USER, TestDatabase.PASSWORD)
                    .locations("classpath:db/migration/orders").placeholders(Map.of("AppRole", "orders_app"))
                    .target("3").load().migrate();
        } else if (prepare.equals("resource")) {
            Outcome created = create(base);
            assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
            previous = created.model();
            base.put("Id", created.model().path("Id").asText());
        }
        for (JsonNode sql : c.path("sql")) {
            TestDatabase.execute(database, sql.asText());
        }
        ObjectNode input = base.deepCopy();
        merge(input, c.path("patch"));
        for (JsonNode pointer : c.path("remove")) {
            remove(input, pointer.asText());
        }
        String dbBefore = dump();
        List<String> recordsBefore = ssm().names();

        Outcome o = driver.run(c.path("action").asText(), input, previous);

        assertThat(o.status()).as("%s: %s", name, o.message()).isEqualTo("FAILED");
        assertThat(o.errorCode()).as("%s: %s", name, o.message()).isEqualTo(c.path("expectCode").asText());
        for (JsonNode part : c.path("expectMessage")) {
            assertThat(o.message()).as(name).contains(part.asText());
        }
        assertThat(o.message().length()).as("%s: a message, not a stack trace", name).isBetween(20, 2000);
        assertThat(dump()).as("%s: database unchanged", name).isEqualTo(dbBefore);
        if (!ssm().names().equals(recordsBefore) && c.path("action").asText().equals("CREATE")) {
            // The failed Create had claimed the schema and reported its Id: CloudFormation's rollback deletes it.
            String id = o.model() != null && o.model().hasNonNull("Id") ? o.model().path("Id").asText() : null;
            assertThat(id).as("%s: a Create that leaves a record must report its Id", name).isNotNull();
            Outcome rollback = driver.run("DELETE", JSON.createObjectNode().put("Id", id), null);
            assertThat(rollback.status()).as("%s: rollback Delete: %s", name, rollback.message()).isEqualTo("SUCCESS");
        }
        assertThat(ssm().names()).as("%s: records unchanged", name).isEqualTo(recordsBefore);
        assertThat(dump()).as("%s: database unchanged after the rollback", name).isEqualTo(dbBefore);
        System.out.printf("BAD INPUT %-40s %-24s %s%n", name, o.errorCode(), o.message().replace('\n', ' '));
    }

    /**
     * Schemas, tables, columns, indexes, constraints, roles, and every table's row count and content hash. The
     * type's own claims table counts by its rows: a refused Create may leave it behind (the first claim on a
     * database creates it) but no row in it.
     */
    private String dump() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.join("\n", query("SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'"
                + " AND nspname <> 'company_schemaversion' ORDER BY 1")));
        if (!query("SELECT to_regclass('company_schemaversion.claims') IS NULL").get(0).equals("t")) {
            query("SELECT schema_name || ' ' || resource_id || ' ' || on_delete FROM company_schemaversion.claims ORDER BY 1")
                    .forEach(row -> sb.append("\nclaim ").append(row));
        }
        sb.append('\n').append(String.join("\n", query("SELECT table_schema || '.' || table_name || '.' || column_name || ':' || data_type || ':' || is_nullable"
                + " || ':' || coalesce(column_default, '') FROM information_schema.columns WHERE table_schema NOT IN ('pg_catalog', 'information_schema', 'company_schemaversion')"
                + " ORDER BY table_schema, table_name, ordinal_position")));
        sb.append('\n').append(String.join("\n", query("SELECT schemaname || ' ' || indexdef FROM pg_indexes WHERE schemaname NOT IN ('pg_catalog', 'information_schema', 'company_schemaversion') ORDER BY 1")));
        sb.append('\n').append(String.join("\n", query("SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint"
                + " WHERE connamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)"
                + " AND connamespace::regnamespace::text <> 'company_schemaversion' ORDER BY 1")));
        sb.append('\n').append(String.join("\n", query("SELECT rolname FROM pg_roles ORDER BY 1")));
        sb.append('\n').append(String.join("\n", query("SELECT table_schema || '.' || table_name || ' ' || (xpath('/row/c/text()', query_to_xml(format("
                + "'SELECT count(*) || '':'' || coalesce(md5(string_agg(t::text, '','' ORDER BY t::text)), '''') AS c FROM %I.%I t', table_schema, table_name),"
                + " false, true, '')))[1]::text FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema', 'company_schemaversion')"
                + " AND table_type = 'BASE TABLE' ORDER BY 1")));
        return sb.toString();
    }

    private static void merge(ObjectNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isObject() && target.get(e.getKey()) instanceof ObjectNode child) {
                merge(child, e.getValue());
            } else {
                target.set(e.getKey(), e.getValue().deepCopy());
            }
        }
    }

    private static void remove(ObjectNode root, String pointer) {
        JsonPointer p = JsonPointer.compile(pointer);
        JsonNode parent = root.at(p.head());
        if (parent instanceof ObjectNode o) {
            o.remove(p.last().getMatchingProperty());
        }
    }
}
