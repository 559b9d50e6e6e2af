package com.company.database.schemaversion.testing;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Resource properties that point at the embedded test database; each test adds what it is about. */
public final class TestModels {
    private TestModels() {
    }

    /**
     * The type configuration of the account the existing tests run in: it allows exactly what they use (the
     * credential paths below, every SslMode since the embedded server has no TLS, the runner role of the VPC
     * tests, Clean, Adoption and Repair on every schema, changes without a stack as cfn test makes them) and
     * nothing else. The security tests use the defaults (no configuration) or a stricter one.
     */
    public static ObjectNode testAccount() {
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        ObjectNode credentials = c.putObject("Credentials");
        credentials.putArray("AllowedParameterPrefixes")
                .add("/orders/db/").add("/secret/db/").add("/bench/db/").add("/artifact-it/").add("/it/").add("/test/")
                .add("/aws/reference/secretsmanager/orders-migrator").add("/aws/reference/secretsmanager/rds!cluster-orders");
        // Those logins are bound to the embedded servers' addresses, and to nothing else.
        ObjectNode binding = credentials.putArray("Bindings").addObject();
        binding.set("Parameters", credentials.get("AllowedParameterPrefixes").deepCopy());
        binding.putArray("Hosts").add("127.0.0.1").add("localhost");
        c.putObject("Connections").putArray("AllowedSslModes").add("disable").add("require").add("verify-ca").add("verify-full");
        c.putObject("Runner").putArray("AllowedRoleArns").add(TEST_RUNNER_ROLE);
        ObjectNode destruction = c.putObject("Destruction");
        // Not CleanWhatItDidNotCreate: a test that cleans what its resource did not create says so itself.
        for (String setting : new String[] {"Clean", "Adoption", "Repair"}) {
            destruction.putArray(setting).add("*/*/*");
        }
        c.putObject("CloudControl").put("Changes", "ResourcesWithoutStack");
        return c;
    }

    public static final String TEST_RUNNER_ROLE = "arn:aws:iam::123456789012:role/schemaversion-runner";

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
