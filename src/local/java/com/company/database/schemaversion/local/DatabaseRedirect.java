package com.company.database.schemaversion.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * For serve on the embedded server: cfn test's inputs name the real database (an RDS endpoint), which this
 * machine cannot reach. Each request's Database is pointed at the embedded server (same database name), and
 * each answer's Database is put back as the request had it, so cfn test's input-equals-output checks still
 * hold. The type's Id, derived from the database's address, is the embedded one.
 */
final class DatabaseRedirect {
    private final int embeddedPort;
    private final Map<String, JsonNode> originalByName = new ConcurrentHashMap<>();

    DatabaseRedirect(int embeddedPort) {
        this.embeddedPort = embeddedPort;
    }

    /** Points the properties' Database at the embedded server, remembering what it was. */
    void inbound(JsonNode properties) {
        if (!(properties instanceof ObjectNode model) || !(model.get("Database") instanceof ObjectNode db)
                || !db.hasNonNull("Name") || isEmbedded(db)) {
            return;
        }
        originalByName.put(db.get("Name").asText(), db.deepCopy());
        db.put("Host", LocalDatabase.HOST);
        db.put("Port", embeddedPort);
        db.put("SslMode", "disable");
    }

    /** Gives an answer's model back the Database its request named. */
    void outbound(JsonNode model) {
        if (!(model instanceof ObjectNode m) || !(m.get("Database") instanceof ObjectNode db) || !isEmbedded(db)) {
            return;
        }
        JsonNode original = originalByName.get(db.path("Name").asText());
        if (original != null) {
            m.set("Database", original.deepCopy());
        }
    }

    private boolean isEmbedded(JsonNode db) {
        return LocalDatabase.HOST.equals(db.path("Host").asText()) && db.path("Port").asInt(-1) == embeddedPort;
    }
}
