package com.company.database.schemaversion.policy;

import com.company.database.schemaversion.CredentialPolicy;
import com.company.database.schemaversion.LoginBinding;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.engine.LoginBindings;
import com.company.database.schemaversion.engine.TlsSettings;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * The type configuration's side of {@link LoginBindings}: which bindings are in force, and the refusal a
 * template gets. Three sources, in this order:
 * <ul>
 *   <li>Credentials.Bindings, when the admin set them;</li>
 *   <li>otherwise, an older configuration that set both Credentials.AllowedParameterPrefixes and
 *       Connections.AllowedHosts keeps its meaning: those logins on those hosts;</li>
 *   <li>always, the path rule: /company-database-schemaversion/credentials/&lt;host&gt;/... on &lt;host&gt;.</li>
 * </ul>
 * So a configuration with prefixes but any host, which used to send every allowed login to whatever server a
 * template named (and proved its name), now binds nothing: the admin says where each login goes.
 *
 * @param bindings the bindings in force besides the path rule
 * @param origin   where they come from, for messages
 */
public record LoginBindingPolicy(List<LoginBindings.Binding> bindings, String origin) {

    static LoginBindingPolicy of(CredentialPolicy credentials, Collection<String> configuredPrefixes, List<String> hosts) {
        Collection<LoginBinding> configured = credentials == null ? null : credentials.getBindings();
        if (configured != null && !configured.isEmpty()) {
            List<LoginBindings.Binding> list = new ArrayList<>();
            for (LoginBinding b : configured) {
                if (b != null) {
                    list.add(new LoginBindings.Binding(sorted(b.getParameters()), sorted(b.getIamUsers()),
                            sorted(b.getHosts()), sorted(b.getDatabases())));
                }
            }
            return new LoginBindingPolicy(List.copyOf(list), "type configuration " + AccountPolicy.BINDINGS_SETTING);
        }
        if (configuredPrefixes != null && hosts != null) {
            return new LoginBindingPolicy(List.of(new LoginBindings.Binding(sorted(configuredPrefixes), null, hosts, null)),
                    "no " + AccountPolicy.BINDINGS_SETTING + " set, so " + AccountPolicy.PREFIXES_SETTING
                            + " are bound to " + AccountPolicy.HOSTS_SETTING);
        }
        return new LoginBindingPolicy(List.of(), "no " + AccountPolicy.BINDINGS_SETTING + " set"
                + (configuredPrefixes != null ? ", and " + AccountPolicy.PREFIXES_SETTING + " without "
                + AccountPolicy.HOSTS_SETTING + " bind no server" : ""));
    }

    /**
     * The prefixes the type may read when the admin set no AllowedParameterPrefixes: its own path, and the
     * Parameters of every binding (a binding that names a parameter means it to be read there).
     */
    List<String> readablePrefixes(String defaultPrefix) {
        TreeSet<String> prefixes = new TreeSet<>();
        prefixes.add(defaultPrefix);
        bindings.forEach(b -> prefixes.addAll(b.parameters()));
        return List.copyOf(prefixes);
    }

    static void check(List<LoginBindings.Binding> bindings, String origin, String usernameParameter,
                      String passwordParameter, String secretParameter, String iamUsername, String host,
                      String database, String sslMode, String howToChange) {
        if (host == null) {
            return;
        }
        if (iamUsername != null) {
            String mode = sslMode == null ? TlsSettings.DEFAULT_MODE : sslMode;
            if (!mode.equals("verify-full")) {
                throw new ReconcileException(Reason.INVALID_INPUT, "Credentials.IamUsername needs Database.SslMode"
                        + " verify-full (this template asks for " + mode + "): an IAM token is a login for " + host
                        + ", and goes only to a server that proved it is that host. Remove SslMode or set verify-full."
                        + " No login was made.");
            }
        }
        List<String> refusals = new ArrayList<>();
        addIfRefused(refusals, LoginBindings.parameterRefusal("Credentials.UsernameParameter", usernameParameter, host,
                database, bindings));
        addIfRefused(refusals, LoginBindings.parameterRefusal("Credentials.PasswordParameter", passwordParameter, host,
                database, bindings));
        addIfRefused(refusals, LoginBindings.parameterRefusal("Credentials.SecretParameter", secretParameter, host,
                database, bindings));
        addIfRefused(refusals, LoginBindings.iamUserRefusal(iamUsername, host, database, bindings));
        if (refusals.isEmpty()) {
            return;
        }
        String pathHint = iamUsername != null ? "" : " (or store it under " + LoginBindings.HOST_PATH
                + host.toLowerCase(java.util.Locale.ROOT) + "/, which binds it to that host alone)";
        throw new ReconcileException(Reason.INVALID_INPUT, String.join("; ", refusals) + ": the account admin binds"
                + " each login to the servers it may be used on, and no binding allows this one there (" + origin
                + "). Use a login bound to that server" + pathHint + ", or " + howToChange + " (a binding in "
                + AccountPolicy.BINDINGS_SETTING + ": Parameters or IamUsers, Hosts, optionally Databases)."
                + " Nothing was read and no login was sent.");
    }

    private static void addIfRefused(List<String> refusals, String refusal) {
        if (refusal != null) {
            refusals.add(refusal);
        }
    }

    private static List<String> sorted(Collection<String> values) {
        return values == null ? null : List.copyOf(new TreeSet<>(values));
    }
}
