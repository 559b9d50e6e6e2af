package com.company.database.schemaversion.security;

import com.company.database.schemaversion.policy.AccountPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The policy's rules without a request, as the VPC runner applies them to its own configuration. The handler
 * tests (CredentialReadPolicyTest, LoginDeliveryTest, RunnerRolePolicyTest) show them enforced end to end.
 */
class AccountPolicyRulesTest {
    private static final String USER = "Credentials.UsernameParameter";
    private static final String SECRET = "Credentials.SecretParameter";

    private static boolean allowed(String name, boolean secretAllowed, String... prefixes) {
        return AccountPolicy.parameterRefusal(secretAllowed ? SECRET : USER, name, secretAllowed, List.of(prefixes)) == null;
    }

    @Test
    void prefixesMatchOnPathBoundaries() {
        assertThat(allowed("/orders/db/username", false, "/orders/db")).isTrue();
        assertThat(allowed("/orders/db/username", false, "/orders/db/")).isTrue();
        assertThat(allowed("/orders/db", false, "/orders/db/")).isTrue();
        assertThat(allowed("/orders/dbx/username", false, "/orders/db")).isFalse();
        assertThat(allowed("/orders/dbx/username", false, "/orders/db/")).isFalse();
        assertThat(allowed("/orders/db-staging/username", false, "/orders/db-*")).isTrue();
        assertThat(allowed("dbuser", false, "/dbuser")).as("a top-level name is /name").isTrue();
    }

    @Test
    void caseSlashesAndDotsDoNotFoolTheMatch() {
        assertThat(allowed("/ORDERS/db/username", false, "/orders/db/")).isFalse();
        assertThat(allowed("orders/db/username", false, "/orders/db/")).as("a path without its leading /").isFalse();
        assertThat(allowed("/orders/db//username", false, "/orders/db/")).isFalse();
        assertThat(allowed("/orders/db/../../prod/payments/api-key", false, "/orders/db/")).isFalse();
        assertThat(allowed("/orders/db/./username", false, "/orders/db/")).isFalse();
        assertThat(allowed("/orders/db/username/", false, "/orders/db/")).isFalse();
        assertThat(allowed("/orders/db/username:2", false, "/orders/db/")).as("version selector").isFalse();
        assertThat(allowed("arn:aws:ssm:us-east-1:123456789012:parameter/orders/db/username", false, "/orders/db/")).isFalse();
        assertThat(allowed("/orders/db/user name", false, "/orders/db/")).isFalse();
    }

    @Test
    void secretsManagerReferencesOnlyAsSecretParameterAndOnlyWhenNamedExplicitly() {
        String ref = "/aws/reference/secretsmanager/rds!cluster-0123";
        assertThat(allowed(ref, true, "/company-database-schemaversion/credentials/")).isFalse();
        assertThat(allowed(ref, true, "/*")).as("a catch-all is not explicit").isFalse();
        assertThat(allowed(ref, true, "/aws/*")).isFalse();
        assertThat(allowed(ref, true, "/aws/reference/secretsmanager/rds!cluster-*")).isTrue();
        assertThat(allowed(ref, true, "/aws/reference/secretsmanager/rds!cluster-0123")).isTrue();
        assertThat(allowed(ref, false, "/aws/reference/secretsmanager/*")).as("never as a user name").isFalse();
        assertThat(allowed("/AWS/Reference/SecretsManager/rds!cluster-0123", false, "/*")).as("case").isFalse();
        assertThat(allowed("/aws/reference/secretsmanager/other", true, "/aws/reference/secretsmanager/rds!cluster-0123"))
                .isFalse();
    }

    @Test
    void theDefaultPolicyAllowsOnlyTheTypesOwnPath() {
        AccountPolicy defaults = AccountPolicy.defaults();
        defaults.checkParameter(USER, "/company-database-schemaversion/credentials/orders/username", false);
        assertThat(refused(() -> defaults.checkParameter(USER, "/orders/db/username", false)))
                .contains("Credentials.AllowedParameterPrefixes").contains("the default");
        assertThat(refused(() -> defaults.checkConnection("db.example.com", "require"))).contains("Connections.AllowedSslModes");
        defaults.checkConnection("db.example.com", null);
        assertThat(refused(() -> defaults.checkRunnerRole("arn:aws:iam::123456789012:role/any"))).contains("Runner.AllowedRoleArns");
    }

    @Test
    void hostsAreExactOrUnderADomain() {
        List<String> hosts = List.of("orders.cluster-abc.eu-west-1.rds.amazonaws.com", "*.proxy-xyz.eu-west-1.rds.amazonaws.com");
        assertThat(AccountPolicy.hostAllowed("anything.example.com", null)).isTrue();
        assertThat(AccountPolicy.hostAllowed("ORDERS.cluster-abc.eu-west-1.rds.amazonaws.com.", hosts)).isTrue();
        assertThat(AccountPolicy.hostAllowed("p1.proxy-xyz.eu-west-1.rds.amazonaws.com", hosts)).isTrue();
        assertThat(AccountPolicy.hostAllowed("proxy-xyz.eu-west-1.rds.amazonaws.com", hosts)).isFalse();
        assertThat(AccountPolicy.hostAllowed("evilproxy-xyz.eu-west-1.rds.amazonaws.com", hosts)).isFalse();
        assertThat(AccountPolicy.hostAllowed("orders.cluster-abc.eu-west-1.rds.amazonaws.com.evil.com", hosts)).isFalse();
    }

    @Test
    void sslModesAndRoles() {
        assertThat(AccountPolicy.sslModeAllowed(null, null)).isTrue();
        assertThat(AccountPolicy.sslModeAllowed("disable", null)).isFalse();
        assertThat(AccountPolicy.sslModeAllowed("disable", Set.of("verify-full", "disable"))).isTrue();
        List<String> roles = List.of("arn:aws:iam::123456789012:role/runners/*", "arn:aws:iam::123456789012:role/exact");
        assertThat(AccountPolicy.roleAllowed("arn:aws:iam::123456789012:role/runners/orders", roles)).isTrue();
        assertThat(AccountPolicy.roleAllowed("arn:aws:iam::123456789012:role/exact", roles)).isTrue();
        assertThat(AccountPolicy.roleAllowed("arn:aws:iam::123456789012:role/exact-admin", roles)).isFalse();
        assertThat(AccountPolicy.roleAllowed("arn:aws:iam::123456789012:role/admin", roles)).isFalse();
        assertThat(AccountPolicy.roleAllowed(null, roles)).isFalse();
    }

    private static String refused(Runnable check) {
        try {
            check.run();
        } catch (com.company.database.schemaversion.core.ReconcileException e) {
            assertThat(e.reason()).isEqualTo(com.company.database.schemaversion.core.Reason.INVALID_INPUT);
            return e.getMessage();
        }
        throw new AssertionError("not refused");
    }
}
