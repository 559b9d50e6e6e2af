package com.company.database.schemaversion.engine;

import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The one reading of a login out of its SSM parameters, for the handler (aws/SsmLogins, with the caller's
 * credentials) and the VPC runner (runner/RunnerLogins, with its role's): a user-name parameter and a password
 * parameter, or one parameter whose value is JSON with username and password (an RDS-managed secret read through
 * /aws/reference/secretsmanager/...). Each reader fetches the values its own way; no value ever reaches a message.
 */
public final class LoginParameters {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Fetches one parameter's decrypted value, failing with the reader's own advice. */
    @FunctionalInterface
    public interface Fetch {
        String value(String name, String property);
    }

    private LoginParameters() {
    }

    /**
     * @param readBy how messages name the reader, appended to them: "" for the handler, " (read by the VPC
     *               runner)" for the runner
     */
    public static Login read(String usernameParameter, String passwordParameter, String secretParameter,
                             Fetch fetch, String readBy) {
        if (secretParameter != null) {
            return fromSecret(secretParameter, fetch.value(secretParameter, "Credentials.SecretParameter"), readBy);
        }
        if (usernameParameter == null || passwordParameter == null) {
            throw new ReconcileException(Reason.INVALID_INPUT,
                    "Credentials needs UsernameParameter and PasswordParameter, or SecretParameter.");
        }
        return new Login(fetch.value(usernameParameter, "Credentials.UsernameParameter"),
                fetch.value(passwordParameter, "Credentials.PasswordParameter"));
    }

    private static Login fromSecret(String secretParameter, String value, String readBy) {
        JsonNode node;
        try {
            node = JSON.readTree(value);
        } catch (JsonProcessingException notJson) {
            // Not kept as the cause: Jackson's message quotes the text it read, the secret's value.
            throw new ReconcileException(Reason.CREDENTIALS_NOT_FOUND, "SSM parameter " + secretParameter
                    + " (Credentials.SecretParameter) is not JSON; it must hold {\"username\": ..., \"password\": ...}"
                    + readBy + ".");
        }
        JsonNode user = node == null ? null : node.get("username");
        JsonNode pass = node == null ? null : node.get("password");
        if (user == null || pass == null || !user.isTextual() || !pass.isTextual()) {
            throw new ReconcileException(Reason.CREDENTIALS_NOT_FOUND, "SSM parameter " + secretParameter
                    + " (Credentials.SecretParameter) does not hold JSON with string fields username and password"
                    + readBy + ".");
        }
        return new Login(user.asText(), pass.asText());
    }
}
