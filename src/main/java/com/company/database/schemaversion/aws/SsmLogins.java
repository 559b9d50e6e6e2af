package com.company.database.schemaversion.aws;

import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetParameterRequest;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.cloudformation.proxy.ProxyClient;

/**
 * Reads the database login from SSM with decryption, as the caller. Two shapes: a user-name parameter and a
 * password parameter, or one parameter whose value is JSON with username and password (an RDS-managed secret
 * read through /aws/reference/secretsmanager/...). Values never reach a message.
 */
public final class SsmLogins {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ProxyClient<SsmClient> ssm;

    public SsmLogins(ProxyClient<SsmClient> ssm) {
        this.ssm = ssm;
    }

    public Login resolve(String usernameParameter, String passwordParameter, String secretParameter) {
        if (secretParameter != null) {
            String value = read(secretParameter, "Credentials.SecretParameter");
            try {
                JsonNode node = JSON.readTree(value);
                JsonNode user = node == null ? null : node.get("username");
                JsonNode pass = node == null ? null : node.get("password");
                if (user == null || pass == null || !user.isTextual() || !pass.isTextual()) {
                    throw new ReconcileException(Reason.CREDENTIALS_NOT_FOUND, "SSM parameter " + secretParameter
                            + " (Credentials.SecretParameter) does not hold JSON with string fields username and password.");
                }
                return new Login(user.asText(), pass.asText());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new ReconcileException(Reason.CREDENTIALS_NOT_FOUND, "SSM parameter " + secretParameter
                        + " (Credentials.SecretParameter) is not JSON; it must hold {\"username\": ..., \"password\": ...}.");
            }
        }
        if (usernameParameter == null || passwordParameter == null) {
            throw new ReconcileException(Reason.INVALID_INPUT,
                    "Credentials needs UsernameParameter and PasswordParameter, or SecretParameter.");
        }
        return new Login(read(usernameParameter, "Credentials.UsernameParameter"),
                read(passwordParameter, "Credentials.PasswordParameter"));
    }

    private String read(String name, String property) {
        try {
            return ssm.injectCredentialsAndInvokeV2(
                    GetParameterRequest.builder().name(name).withDecryption(true).build(),
                    ssm.client()::getParameter).parameter().value();
        } catch (ParameterNotFoundException e) {
            throw new ReconcileException(Reason.CREDENTIALS_NOT_FOUND, "SSM parameter " + name + " (" + property
                    + ") does not exist in this account and region. Create it, or fix the name in the template.", e);
        } catch (RuntimeException e) {
            throw SsmErrors.translate(e, "read SSM parameter " + name + " (" + property + ")");
        }
    }
}
