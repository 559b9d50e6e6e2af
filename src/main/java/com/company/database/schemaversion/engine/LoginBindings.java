package com.company.database.schemaversion.engine;

import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Which login may be used on which server: the account admin binds logins to servers, the template does not.
 * A credential parameter prefixes list cannot say this on its own: every allowed parameter would then go to
 * every allowed host, so a template could send one team's login (or a value read as a user name that is
 * really its password) to another team's server, or to its own RDS instance, whose certificate the RDS CA
 * signs as it signs everybody's.
 *
 * <p>A login is usable on a host (and database) only when, for each of its parameters, a binding lists a
 * prefix that covers the parameter and the host (and the database, when the binding names databases), or
 * when the parameter's own path names the host: {@value #HOST_PATH}{@code <host>/...} is bound to
 * {@code <host>} alone. An IAM database login (a user name, no value read) needs a binding that lists the
 * user.
 *
 * <p>Model-free, so that the VPC runner applies the same rule to the configuration it was given.
 */
public final class LoginBindings {
    /** Parameters below this path, in a folder named after the host, are bound to that host without any setting. */
    public static final String HOST_PATH = "/company-database-schemaversion/credentials/";
    /** In a binding's IamUsers: any database user. */
    public static final String ANY_USER = "*";

    private LoginBindings() {
    }

    /**
     * One binding of the admin's: logins under these parameter prefixes, and these IAM database users, may be
     * used on these hosts, for these databases (null or empty: any database on them).
     */
    public record Binding(List<String> parameters, List<String> iamUsers, List<String> hosts, List<String> databases) {
        public Binding {
            parameters = parameters == null ? List.of() : List.copyOf(parameters);
            iamUsers = iamUsers == null ? List.of() : List.copyOf(iamUsers);
            hosts = hosts == null ? List.of() : List.copyOf(hosts);
            databases = databases == null || databases.isEmpty() ? null : List.copyOf(databases);
        }

        boolean covers(String host, String database) {
            return hosts.stream().anyMatch(h -> hostMatches(host, h))
                    && (databases == null || databases.contains(database));
        }
    }

    /**
     * Why the credential parameter may not be used on the host and database, or null when a binding (or the
     * parameter's path) binds it there.
     *
     * @param property the template property that names the parameter, for the message
     */
    public static String parameterRefusal(String property, String parameter, String host, String database,
                                          Collection<Binding> bindings) {
        if (parameter == null) {
            return null;
        }
        String name = canonicalParameterName(parameter);
        if (name == null) {
            return property + " " + parameter + " is not a plain, fully qualified SSM parameter name";
        }
        if (boundByPath(name, host)) {
            return null;
        }
        for (Binding b : bindings) {
            if (b.covers(host, database) && b.parameters().stream().anyMatch(p -> underPrefix(name, p))) {
                return null;
            }
        }
        return property + " " + parameter + " is not bound to Database.Host " + host + (database == null ? ""
                : " (database " + database + ")");
    }

    /** Why an IAM database login as this user may not be used on the host and database, or null when bound. */
    public static String iamUserRefusal(String user, String host, String database, Collection<Binding> bindings) {
        if (user == null) {
            return null;
        }
        for (Binding b : bindings) {
            if (b.covers(host, database) && (b.iamUsers().contains(user) || b.iamUsers().contains(ANY_USER))) {
                return null;
            }
        }
        return "Credentials.IamUsername " + user + " is not bound to Database.Host " + host + (database == null ? ""
                : " (database " + database + ")");
    }

    /** Whether the parameter lives in the folder {@value #HOST_PATH}{@code <host>/} of exactly this host. */
    public static boolean boundByPath(String parameter, String host) {
        String name = canonicalParameterName(parameter);
        if (name == null || !name.startsWith(HOST_PATH) || host == null) {
            return false;
        }
        String rest = name.substring(HOST_PATH.length());
        int slash = rest.indexOf('/');
        return slash > 0 && slash < rest.length() - 1 && normalizeHost(rest.substring(0, slash)).equals(normalizeHost(host))
                && !normalizeHost(host).isEmpty();
    }

    /**
     * Path-boundary match, as the type configuration's prefixes match everywhere: /a/b covers /a/b and /a/b/...,
     * never /a/bc; an entry ending in * covers any name starting with what precedes the *. Case-sensitive.
     */
    public static boolean underPrefix(String canonicalName, String prefix) {
        String p = prefix.strip();
        p = p.startsWith("/") ? p : "/" + p;
        if (p.endsWith("*")) {
            return canonicalName.startsWith(p.substring(0, p.length() - 1));
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() || canonicalName.equals(p) || canonicalName.startsWith(p + "/");
    }

    /** Exact names (case-insensitive, a trailing dot ignored), or *.domain for any name under the domain. */
    public static boolean hostMatches(String host, String entry) {
        String h = normalizeHost(host);
        String e = normalizeHost(entry);
        if (h.isEmpty() || e.isEmpty()) {
            return false;
        }
        if (e.startsWith("*.")) {
            String domain = e.substring(1);
            return h.endsWith(domain) && h.length() > domain.length();
        }
        return h.equals(e);
    }

    /** A host as every rule compares it: lower case, without surrounding blanks or a trailing dot. */
    public static String normalizeHost(String host) {
        String h = host == null ? "" : host.strip().toLowerCase(Locale.ROOT);
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    /**
     * The name as SSM resolves it for matching, or null for anything but a plain parameter name: ARNs and
     * :version/:label selectors contain ':'; '//', '.' and '..' segments, a trailing '/' and a path without its
     * leading '/' are refused rather than guessed at. A top-level name without any '/' (dbuser) is /dbuser.
     */
    public static String canonicalParameterName(String name) {
        if (name.isEmpty() || name.contains(":") || name.chars().anyMatch(c -> c <= ' ' || c > '~')
                || !name.startsWith("/") && name.contains("/")) {
            return null;
        }
        String n = name.startsWith("/") ? name : "/" + name;
        if (n.endsWith("/") || n.contains("//")) {
            return null;
        }
        for (String segment : n.substring(1).split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                return null;
            }
        }
        return n;
    }
}
