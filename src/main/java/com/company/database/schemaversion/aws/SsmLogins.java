package com.company.database.schemaversion.aws;

import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.engine.Login;
import com.company.database.schemaversion.engine.LoginParameters;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetParameterRequest;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.cloudformation.proxy.ProxyClient;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the database login from SSM with decryption, as the caller, in the shapes engine/LoginParameters reads.
 * Values never reach a message.
 *
 * <p>Every name passes the account's policy ({@link NameCheck}) before any GetParameter: the type reads with its own
 * execution role, so without that check a template could make it read, and echo, any parameter or secret.
 */
public final class SsmLogins {
    private final ProxyClient<SsmClient> ssm;
    private final NameCheck policy;
    /**
     * Logins already read in this request: a Create checks the login before it claims and then migrates in the
     * same call. One instance serves one request, so a rotated password is read again by the next call.
     */
    private final Map<List<String>, Login> read = new HashMap<>();

    /**
     * What decides whether the type may read a login's parameters (the account policy): it throws to refuse them,
     * before any GetParameter.
     */
    @FunctionalInterface
    public interface NameCheck {
        void checkCredentials(String usernameParameter, String passwordParameter, String secretParameter);
    }

    public SsmLogins(ProxyClient<SsmClient> ssm, NameCheck policy) {
        this.ssm = ssm;
        this.policy = policy;
    }

    /** Where a login for these parameters comes from, as messages name it (never the values). */
    public static String describe(String usernameParameter, String passwordParameter, String secretParameter) {
        return secretParameter != null ? "the login in SSM parameter " + secretParameter + " (Credentials.SecretParameter)"
                : "the login in SSM parameters " + usernameParameter + " (Credentials.UsernameParameter) and "
                + passwordParameter + " (Credentials.PasswordParameter)";
    }

    public Login resolve(String usernameParameter, String passwordParameter, String secretParameter) {
        policy.checkCredentials(usernameParameter, passwordParameter, secretParameter);
        List<String> key = Arrays.asList(usernameParameter, passwordParameter, secretParameter);
        Login known = read.get(key);
        if (known == null) {
            known = LoginParameters.read(usernameParameter, passwordParameter, secretParameter, this::read, "");
            read.put(key, known);
        }
        return known;
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
