package com.company.database.schemaversion.testing;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Resource properties that point at the embedded test database; each test adds what it is about. */
public final class TestModels {
    private TestModels() {
    }

    /** Database (127.0.0.1, the embedded server's port, no TLS: it has none) and Credentials from SSM. */
    public static ObjectNode onTestDatabase(String database, String usernameParameter, String passwordParameter) {
        ObjectNode m = JsonNodeFactory.instance.objectNode();
        ObjectNode db = m.putObject("Database");
        db.put("Host", "127.0.0.1");
        db.put("Port", TestDatabase.port());
        db.put("Name", database);
        db.put("SslMode", "disable");
        ObjectNode creds = m.putObject("Credentials");
        creds.put("UsernameParameter", usernameParameter);
        creds.put("PasswordParameter", passwordParameter);
        return m;
    }
}
