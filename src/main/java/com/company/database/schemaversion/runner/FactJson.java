package com.company.database.schemaversion.runner;

import com.company.database.schemaversion.core.Fact;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A fact as the runner's answer carries it, field by field, so the handler rebuilds the same fact and chooses the
 * same advice as for Direct mode. An answer without a fact, or with one this side does not know, is read as no
 * fact: the reason and the message still stand.
 */
final class FactJson {
    private FactJson() {
    }

    static ObjectNode toJson(Fact fact) {
        ObjectNode n = RunnerProtocol.JSON.createObjectNode();
        if (fact instanceof Fact.MigrationFailed m) {
            n.put("kind", "migrationFailed");
            place(n, m.where());
            n.put("script", m.script());
            n.put("line", m.line());
            n.put("sqlState", m.sqlState());
            n.put("transactional", m.transactional());
            n.put("limit", m.limit().name());
        } else if (fact instanceof Fact.Database d) {
            n.put("kind", "database");
            n.put("condition", d.condition().name());
            place(n, d.where());
            n.put("sqlState", d.sqlState());
            n.put("sslMode", d.sslMode());
        } else if (fact instanceof Fact.PlaceholderMissing p) {
            n.put("kind", "placeholderMissing");
            n.put("set", p.migrationSet());
            n.put("script", p.script());
            n.put("name", p.name());
        } else if (fact instanceof Fact.Service s) {
            n.put("kind", "service");
            n.put("service", s.service());
            n.put("condition", s.condition().name());
            n.put("errorCode", s.errorCode());
            n.put("status", s.status());
        }
        return n;
    }

    static Fact fromJson(JsonNode n) {
        if (n == null || !n.isObject()) {
            return null;
        }
        try {
            return switch (n.path("kind").asText("")) {
                case "migrationFailed" -> new Fact.MigrationFailed(place(n), text(n, "script"), n.path("line").asInt(0),
                        text(n, "sqlState"), n.path("transactional").asBoolean(true),
                        Fact.Limit.valueOf(n.path("limit").asText(Fact.Limit.NONE.name())));
                case "database" -> new Fact.Database(Fact.Condition.valueOf(n.path("condition").asText()), place(n),
                        text(n, "sqlState"), text(n, "sslMode"));
                case "placeholderMissing" -> new Fact.PlaceholderMissing(text(n, "set"), text(n, "script"), text(n, "name"));
                case "service" -> new Fact.Service(text(n, "service"),
                        Fact.ServiceCondition.valueOf(n.path("condition").asText()), text(n, "errorCode"),
                        n.path("status").asInt(0));
                default -> null;
            };
        } catch (IllegalArgumentException unknown) {
            return null;
        }
    }

    private static void place(ObjectNode n, Fact.Place where) {
        if (where != null) {
            ObjectNode p = n.putObject("where");
            p.put("host", where.host());
            p.put("port", where.port());
            p.put("database", where.database());
            p.put("schema", where.schema());
        }
    }

    private static Fact.Place place(JsonNode n) {
        JsonNode p = n.get("where");
        return p == null || !p.isObject() ? null
                : new Fact.Place(text(p, "host"), p.path("port").asInt(0), text(p, "database"), text(p, "schema"));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
