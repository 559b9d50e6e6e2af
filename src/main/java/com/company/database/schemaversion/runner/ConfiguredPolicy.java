package com.company.database.schemaversion.runner;

import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.engine.LoginBindings;
import com.company.database.schemaversion.policy.AccountPolicy;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The account policy the handler configured the runner with (the admin's type configuration as it was when the
 * handler last set the function up): which credential parameters the runner may read, which hosts may receive
 * the login, with which SslModes, and which login is bound to which server. The runner refuses to act on a
 * configuration that breaks it, with the very rules
 * the handler applies ({@link AccountPolicy}'s static methods, which the runner package carries), so that a
 * configuration nobody checked (one put on the function by hand, say) cannot send the login anywhere the admin
 * did not allow. The extra CA certificates are not here: they are part of the runner's code.
 *
 * @param prefixes credential parameter prefixes (never empty: the handler writes the defaults when the admin set none)
 * @param hosts    the allowed hosts, or null for any host
 * @param sslModes the allowed SslModes (never empty)
 * @param bindings the login bindings in force (LoginBindings), beside the host-folder rule that needs none
 */
public record ConfiguredPolicy(List<String> prefixes, List<String> hosts, List<String> sslModes,
                               List<LoginBindings.Binding> bindings) {
    /** The policy, as one compact JSON value, beside {@link RunnerConfig#CONFIG_VARIABLE}. */
    public static final String POLICY_VARIABLE = "SCHEMAVERSION_RUNNER_POLICY";
    private static final Set<String> FIELDS = Set.of("prefixes", "hosts", "sslModes", "bindings");
    private static final Set<String> BINDING_FIELDS = Set.of("parameters", "iamUsers", "hosts", "databases");

    public ConfiguredPolicy {
        prefixes = List.copyOf(new TreeSet<>(prefixes));
        hosts = hosts == null ? null : List.copyOf(new TreeSet<>(hosts));
        sslModes = List.copyOf(new TreeSet<>(sslModes));
        bindings = bindings == null ? List.of() : List.copyOf(bindings);
    }

    /** The function's variable for this policy. */
    public Map<String, String> environment() {
        ObjectNode n = RunnerProtocol.JSON.createObjectNode();
        prefixes.forEach(n.putArray("prefixes")::add);
        if (hosts != null) {
            hosts.forEach(n.putArray("hosts")::add);
        }
        sslModes.forEach(n.putArray("sslModes")::add);
        ArrayNode bound = n.putArray("bindings");
        for (LoginBindings.Binding b : bindings) {
            ObjectNode o = bound.addObject();
            b.parameters().forEach(o.putArray("parameters")::add);
            b.iamUsers().forEach(o.putArray("iamUsers")::add);
            b.hosts().forEach(o.putArray("hosts")::add);
            if (b.databases() != null) {
                b.databases().forEach(o.putArray("databases")::add);
            }
        }
        return Map.of(POLICY_VARIABLE, new String(RunnerProtocol.bytes(n), StandardCharsets.UTF_8));
    }

    /** The policy the handler left on this function; refused when absent or malformed. */
    public static ConfiguredPolicy fromEnvironment(Map<String, String> environment) {
        String json = environment.get(POLICY_VARIABLE);
        if (json == null || json.isBlank()) {
            throw refused("it has no " + POLICY_VARIABLE + " variable");
        }
        JsonNode n;
        try {
            n = RunnerProtocol.JSON.readTree(json);
        } catch (IOException e) {
            throw refused(POLICY_VARIABLE + " is not JSON");
        }
        if (n == null || !n.isObject()) {
            throw refused(POLICY_VARIABLE + " is not a JSON object");
        }
        for (Iterator<String> names = n.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw refused(POLICY_VARIABLE + " has a field the runner does not know: " + name);
            }
        }
        List<String> prefixes = strings(n, "prefixes");
        List<String> sslModes = strings(n, "sslModes");
        if (prefixes == null || prefixes.isEmpty() || sslModes == null || sslModes.isEmpty()) {
            throw refused(POLICY_VARIABLE + " needs prefixes and sslModes");
        }
        List<LoginBindings.Binding> bindings = new ArrayList<>();
        JsonNode bound = n.get("bindings");
        if (bound != null && !bound.isNull()) {
            if (!bound.isArray() || bound.size() > 256) {
                throw refused("bindings is not a list");
            }
            for (JsonNode b : bound) {
                if (!b.isObject()) {
                    throw refused("a binding is not a JSON object");
                }
                for (Iterator<String> names = b.fieldNames(); names.hasNext(); ) {
                    String name = names.next();
                    if (!BINDING_FIELDS.contains(name)) {
                        throw refused("a binding has a field the runner does not know: " + name);
                    }
                }
                bindings.add(new LoginBindings.Binding(strings(b, "parameters"), strings(b, "iamUsers"),
                        strings(b, "hosts"), strings(b, "databases")));
            }
        }
        return new ConfiguredPolicy(prefixes, strings(n, "hosts"), sslModes, bindings);
    }

    /** Refuses (nothing read, no connection) a configuration this policy does not allow. */
    public void check(RunnerConfig c) {
        List<String> refusals = new ArrayList<>();
        addRefusal(refusals, "Credentials.UsernameParameter", c.usernameParameter(), false);
        addRefusal(refusals, "Credentials.PasswordParameter", c.passwordParameter(), false);
        addRefusal(refusals, "Credentials.SecretParameter", c.secretParameter(), true);
        if (!AccountPolicy.sslModeAllowed(c.sslMode(), sslModes)) {
            refusals.add("Database.SslMode " + c.sslMode() + " is not one of " + sslModes);
        }
        if (!AccountPolicy.hostAllowed(c.host(), hosts)) {
            refusals.add("Database.Host " + c.host() + " is not one of " + hosts);
        }
        for (String[] parameter : new String[][] {{"Credentials.UsernameParameter", c.usernameParameter()},
                {"Credentials.PasswordParameter", c.passwordParameter()}, {"Credentials.SecretParameter", c.secretParameter()}}) {
            String unbound = LoginBindings.parameterRefusal(parameter[0], parameter[1], c.host(), c.database(), bindings);
            if (unbound != null) {
                refusals.add(unbound);
            }
        }
        String unboundUser = LoginBindings.iamUserRefusal(c.iamUsername(), c.host(), c.database(), bindings);
        if (unboundUser != null) {
            refusals.add(unboundUser);
        }
        if (!refusals.isEmpty()) {
            throw new ReconcileException(Reason.RUNNER_FAILED, "The runner refuses to run: its configuration breaks the"
                    + " account policy the handler configured it with (" + String.join("; ", refusals) + "). Someone"
                    + " changed the function outside CloudFormation: update the stack (any change) and the handler puts"
                    + " the runner back. Nothing was read and no login was sent.");
        }
    }

    private void addRefusal(List<String> refusals, String property, String name, boolean secretAllowed) {
        if (name != null) {
            String refusal = AccountPolicy.parameterRefusal(property, name, secretAllowed, prefixes);
            if (refusal != null) {
                refusals.add(refusal);
            }
        }
    }

    private static List<String> strings(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isArray() || v.size() > 256) {
            throw refused(field + " is not a list");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : (ArrayNode) v) {
            if (!e.isTextual()) {
                throw refused(field + " holds something other than strings");
            }
            out.add(e.asText());
        }
        return out;
    }

    private static ReconcileException refused(String why) {
        return new ReconcileException(Reason.RUNNER_FAILED, "The runner refuses to run: the account policy the handler"
                + " configured on the function is not valid: " + why + ". Deploy again so the handler configures it anew.");
    }
}
