package com.company.database.schemaversion.policy;

import com.company.database.schemaversion.ConnectionPolicy;
import com.company.database.schemaversion.CredentialPolicy;
import com.company.database.schemaversion.Credentials;
import com.company.database.schemaversion.Database;
import com.company.database.schemaversion.ResourceModel;
import com.company.database.schemaversion.RunnerPolicy;
import com.company.database.schemaversion.TypeConfigurationModel;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.engine.BundledCaSocketFactory;
import com.company.database.schemaversion.engine.LoginBindings;
import com.company.database.schemaversion.engine.TlsSettings;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one place that decides what a template may make the type read and where it may send a login. The
 * handlers run with the type's execution role, not the stack author's, so every property is input from
 * someone with less privilege than the type: the account admin's type configuration (TypeConfigurationModel,
 * set with aws cloudformation set-type-configuration) draws the line, and without one the defaults below
 * do.
 *
 * <ul>
 *   <li>Credential parameters only under {@value #DEFAULT_CREDENTIAL_PREFIX} unless
 *       Credentials.AllowedParameterPrefixes says otherwise. Secrets Manager references
 *       ({@value #SECRETS_MANAGER_PREFIX}...) only when a prefix that itself starts with that path allows
 *       them, and only as SecretParameter: a user name or password parameter would echo the whole secret.</li>
 *   <li>Any host (it must prove its name: verify-full), unless Connections.AllowedHosts lists hosts.</li>
 *   <li>SslMode verify-full only, unless Connections.AllowedSslModes allows weaker modes.</li>
 *   <li>VpcRunner only with an Execution.RoleArn that Runner.AllowedRoleArns names; none by default.</li>
 *   <li>TaskRunner as VpcRunner, and only once TaskRunner.Image and TaskRunner.ExecutionRoleArn are set, with a
 *       Cpu and MemoryMiB Fargate accepts.</li>
 * </ul>
 *
 * The checks run where the type reads or connects (SsmLogins, Translator.connection, VpcRunner), not only on
 * Create: a record written before the admin tightened the configuration gets no pass on Read, Update or
 * Delete. The static methods are the same rules without a model, for the VPC runner to apply to its own
 * configuration.
 */
public final class AccountPolicy {
    public static final String DEFAULT_CREDENTIAL_PREFIX = "/company-database-schemaversion/credentials/";
    public static final String SECRETS_MANAGER_PREFIX = "/aws/reference/secretsmanager/";
    /** Every /aws/reference/... name resolves through another service; only an explicit prefix allows one. */
    private static final String REFERENCE_ROOT = "/aws/reference/";
    public static final Set<String> DEFAULT_SSL_MODES = Set.of(TlsSettings.DEFAULT_MODE);

    static final String PREFIXES_SETTING = "Credentials.AllowedParameterPrefixes";
    static final String BINDINGS_SETTING = "Credentials.Bindings";
    static final String HOSTS_SETTING = "Connections.AllowedHosts";
    static final String SSL_MODES_SETTING = "Connections.AllowedSslModes";
    static final String EXTRA_CA_SETTING = "Connections.ExtraCaCertificates";
    static final String ROLES_SETTING = "Runner.AllowedRoleArns";
    static final String TASK_RUNNER_SETTING = "TaskRunner";
    private static final String HOW_TO_CHANGE = "the account admin changes it with aws cloudformation"
            + " set-type-configuration --type RESOURCE --type-name Company::Database::SchemaVersion";

    private final List<String> parameterPrefixes;
    private final boolean defaultPrefixes;
    private final List<String> hosts;
    private final Set<String> sslModes;
    private final boolean defaultSslModes;
    private final String extraCaCertificates;
    private final String extraCaProblem;
    private final List<String> runnerRoles;
    private final TaskRunnerSettings taskRunner;
    private final DestructionPolicy destruction;
    private final CloudControlAccess cloudControl;
    /** Which login may go to which server (LoginBindings), beside the path rule that needs no setting. */
    private final List<LoginBindings.Binding> bindings;
    private final String bindingsOrigin;

    private AccountPolicy(TypeConfigurationModel c) {
        CredentialPolicy credentials = c == null ? null : c.getCredentials();
        ConnectionPolicy connections = c == null ? null : c.getConnections();
        RunnerPolicy runner = c == null ? null : c.getRunner();
        Collection<String> prefixes = credentials == null ? null : credentials.getAllowedParameterPrefixes();
        defaultPrefixes = prefixes == null || prefixes.isEmpty();
        Collection<String> allowedHosts = connections == null ? null : connections.getAllowedHosts();
        hosts = allowedHosts == null || allowedHosts.isEmpty() ? null : sorted(allowedHosts);
        LoginBindingPolicy loginBindings = LoginBindingPolicy.of(credentials, defaultPrefixes ? null : prefixes, hosts);
        bindings = loginBindings.bindings();
        bindingsOrigin = loginBindings.origin();
        parameterPrefixes = defaultPrefixes ? loginBindings.readablePrefixes(DEFAULT_CREDENTIAL_PREFIX) : sorted(prefixes);
        Collection<String> modes = connections == null ? null : connections.getAllowedSslModes();
        defaultSslModes = modes == null || modes.isEmpty();
        sslModes = defaultSslModes ? DEFAULT_SSL_MODES : Set.copyOf(modes);
        String pem = connections == null ? null : connections.getExtraCaCertificates();
        extraCaCertificates = pem == null || pem.isBlank() ? null : pem;
        extraCaProblem = extraCaCertificates == null ? null : pemProblem(extraCaCertificates);
        Collection<String> roles = runner == null ? null : runner.getAllowedRoleArns();
        runnerRoles = roles == null ? List.of() : sorted(roles);
        taskRunner = TaskRunnerSettings.of(c == null ? null : c.getTaskRunner());
        destruction = DestructionPolicy.of(c);
        cloudControl = CloudControlAccess.of(c);
    }

    /** The policy of a request: the admin's type configuration, or the defaults when there is none. */
    public static AccountPolicy of(TypeConfigurationModel typeConfiguration) {
        return new AccountPolicy(typeConfiguration);
    }

    public static AccountPolicy defaults() {
        return new AccountPolicy(null);
    }

    /** Where Clean, Adoption and Repair may act (type configuration Destruction). */
    public DestructionPolicy destruction() {
        return destruction;
    }

    /** What a request without a stack may do (type configuration CloudControl). */
    public CloudControlAccess cloudControl() {
        return cloudControl;
    }

    /** How TaskRunner mode runs its tasks (type configuration TaskRunner, with the defaults filled in). */
    public TaskRunnerSettings taskRunner() {
        return taskRunner;
    }

    /** PEM certificates to trust beside the baked RDS bundle, or null. */
    public String extraCaCertificates() {
        return extraCaCertificates;
    }

    /** The bindings in force (the admin's, or those an older configuration implies), for the VPC runner's configuration. */
    public List<LoginBindings.Binding> loginBindings() {
        return bindings;
    }

    /** The credential parameter prefixes in force (the default when the admin set none): for the VPC runner. */
    public List<String> parameterPrefixes() {
        return List.copyOf(parameterPrefixes);
    }

    /** The allowed hosts, or null for any host: for the VPC runner. */
    public List<String> allowedHosts() {
        return hosts == null ? null : List.copyOf(hosts);
    }

    /** The allowed SslModes in force (the default when the admin set none): for the VPC runner. */
    public Set<String> allowedSslModes() {
        return Set.copyOf(sslModes);
    }

    /** Everything a model makes the type read or connect to (Direct and VpcRunner alike). */
    public void checkReadsAndConnections(ResourceModel m) {
        Credentials c = m.getCredentials();
        if (c != null) {
            checkCredentials(c.getUsernameParameter(), c.getPasswordParameter(), c.getSecretParameter());
        }
        Database d = m.getDatabase();
        if (d != null) {
            checkConnection(d.getHost(), d.getSslMode());
        }
        if (c != null && d != null) {
            checkLoginBinding(c.getUsernameParameter(), c.getPasswordParameter(), c.getSecretParameter(),
                    c.getIamUsername(), d.getHost(), d.getName(), d.getSslMode());
        }
    }

    /** Refuses a login the admin did not bind to this server (LoginBindingPolicy says how), before it is read or made. */
    public void checkLoginBinding(String usernameParameter, String passwordParameter, String secretParameter,
                                  String iamUsername, String host, String database, String sslMode) {
        LoginBindingPolicy.check(bindings, bindingsOrigin, usernameParameter, passwordParameter, secretParameter,
                iamUsername, host, database, sslMode, HOW_TO_CHANGE);
    }

    /** What VpcRunner mode may use on top of checkReadsAndConnections. */
    public void checkRunner(ResourceModel m) {
        checkReadsAndConnections(m);
        checkRunnerRole(m.getExecution() == null ? null : m.getExecution().getRoleArn());
    }

    /**
     * What TaskRunner mode may use: what VpcRunner may (its runner function and the task run as Execution.RoleArn),
     * and a TaskRunner type configuration that names the image and the task execution role and sizes the task as
     * Fargate allows.
     */
    public void checkTaskRunner(ResourceModel m) {
        checkRunner(m);
        if (!taskRunner.enabled()) {
            throw new ReconcileException(Reason.INVALID_INPUT, "Execution.Mode TaskRunner is off in this account: the"
                    + " type configuration does not set " + String.join(" and ", taskRunner.missing()) + " (the runner"
                    + " image, by digest, and the role ECS pulls it with). Use Mode VpcRunner for migrations that fit"
                    + " in 15 minutes, or " + HOW_TO_CHANGE + " (guides/task-runner.md). Nothing was started.");
        }
        if (!TaskRunnerSettings.namedByDigest(taskRunner.image())) {
            throw new ReconcileException(Reason.INVALID_INPUT, "The type configuration's " + TASK_RUNNER_SETTING
                    + ".Image is not an image named by its digest (repository@sha256: and 64 hex digits, nothing"
                    + " around it), so the task could run other code under the same name. " + HOW_TO_CHANGE
                    .substring(0, 1).toUpperCase(Locale.ROOT) + HOW_TO_CHANGE.substring(1) + ", naming the image"
                    + " ./schemaversion runner-image built by its digest. Nothing was started.");
        }
        String size = TaskRunnerSettings.fargateSizeProblem(taskRunner.cpu(), taskRunner.memoryMiB());
        if (size != null) {
            throw new ReconcileException(Reason.INVALID_INPUT, "The type configuration's " + TASK_RUNNER_SETTING
                    + ".Cpu and MemoryMiB cannot run on Fargate: " + size + ". " + HOW_TO_CHANGE.substring(0, 1)
                    .toUpperCase(Locale.ROOT) + HOW_TO_CHANGE.substring(1) + " (guides/task-runner.md lists the"
                    + " sizes). Nothing was started.");
        }
    }

    public void checkCredentials(String usernameParameter, String passwordParameter, String secretParameter) {
        checkParameter("Credentials.UsernameParameter", usernameParameter, false);
        checkParameter("Credentials.PasswordParameter", passwordParameter, false);
        checkParameter("Credentials.SecretParameter", secretParameter, true);
    }

    /** Refuses a parameter name the policy does not allow (null names are the caller's business). */
    public void checkParameter(String property, String name, boolean secretAllowed) {
        if (name == null) {
            return;
        }
        String refusal = parameterRefusal(property, name, secretAllowed, parameterPrefixes);
        if (refusal != null) {
            throw new ReconcileException(Reason.INVALID_INPUT, refusal + " (type configuration " + PREFIXES_SETTING
                    + ": " + parameterPrefixes + (defaultPrefixes ? ", the default" + (parameterPrefixes.size() > 1
                    ? " and the Parameters of " + BINDINGS_SETTING : "") : "") + "). Store the login under an"
                    + " allowed prefix, or " + HOW_TO_CHANGE + ". Nothing was read.");
        }
    }

    public void checkConnection(String host, String sslMode) {
        String mode = sslMode == null ? TlsSettings.DEFAULT_MODE : sslMode;
        if (!sslModes.contains(mode)) {
            throw new ReconcileException(Reason.INVALID_INPUT, "Database.SslMode " + mode + " is not allowed in this"
                    + " account (type configuration " + SSL_MODES_SETTING + ": " + new TreeSet<>(sslModes)
                    + (defaultSslModes ? ", the default" : "") + "): the login would go to " + host + " without"
                    + " proof that the server is that host. Use SslMode verify-full, or " + HOW_TO_CHANGE
                    + ". No login was sent.");
        }
        if (extraCaProblem != null && (mode.equals("verify-ca") || mode.equals("verify-full"))) {
            throw new ReconcileException(Reason.INVALID_INPUT, "The type configuration's " + EXTRA_CA_SETTING
                    + " cannot be read (" + extraCaProblem + "), so no server certificate can be checked against it;"
                    + " it must hold PEM certificates (-----BEGIN CERTIFICATE----- ...). " + HOW_TO_CHANGE.substring(0, 1)
                    .toUpperCase(Locale.ROOT) + HOW_TO_CHANGE.substring(1) + ". No login was sent.");
        }
        if (!hostAllowed(host, hosts)) {
            throw new ReconcileException(Reason.INVALID_INPUT, "Database.Host " + host + " is not a host this"
                    + " account allows the type to send a login to (type configuration " + HOSTS_SETTING + ": " + hosts
                    + "). Use an allowed host, or " + HOW_TO_CHANGE + ". No login was sent.");
        }
    }

    public void checkRunnerRole(String roleArn) {
        if (!roleAllowed(roleArn, runnerRoles)) {
            throw new ReconcileException(Reason.INVALID_INPUT, "Execution.RoleArn " + roleArn + " is not a runner"
                    + " role this account allows (type configuration " + ROLES_SETTING + ": "
                    + (runnerRoles.isEmpty() ? "not set, so Execution.Mode VpcRunner is off, and TaskRunner with it"
                    : runnerRoles.toString())
                    + "). A runner function gets the credentials of the role it runs as, so the admin names the roles:"
                    + " use one of them, or " + HOW_TO_CHANGE + ".");
        }
    }

    // ---- The rules themselves, without a request: for the VPC runner to apply to what it was configured with.

    /**
     * Why a credential parameter name is not allowed under these prefixes, or null when it is.
     *
     * @param secretAllowed whether the property may name a Secrets Manager reference (SecretParameter only)
     */
    public static String parameterRefusal(String property, String name, boolean secretAllowed, Collection<String> prefixes) {
        String canonical = canonicalParameterName(name);
        if (canonical == null) {
            return property + " " + name + " is not a plain, fully qualified SSM parameter name (a path starts with /;"
                    + " no ARN, :version or :label selector, empty, . or .. path segment, or trailing /)";
        }
        boolean reference = canonical.toLowerCase(Locale.ROOT).startsWith(REFERENCE_ROOT);
        if (reference && !secretAllowed) {
            return property + " " + name + " is a Secrets Manager reference: only Credentials.SecretParameter may name"
                    + " one (its JSON holds both user name and password)";
        }
        for (String prefix : prefixes) {
            boolean prefixIsReference = normalizePrefix(prefix).toLowerCase(Locale.ROOT).startsWith(SECRETS_MANAGER_PREFIX);
            if (reference && !prefixIsReference) {
                continue;
            }
            if (underPrefix(canonical, prefix)) {
                return null;
            }
        }
        return property + " " + name + (reference ? " is a Secrets Manager reference no allowed prefix names explicitly"
                : " is outside the SSM parameter prefixes this account allows the type to read");
    }

    /**
     * The name as SSM resolves it for matching, or null when it is not a plain parameter name: ARNs and
     * :version/:label selectors contain ':'; a path without its leading '/', '//', '.' and '..' segments and a
     * trailing '/' are refused rather than guessed at. A top-level name without any '/' (e.g. dbuser) is
     * matched as /dbuser.
     */
    static String canonicalParameterName(String name) {
        return name == null ? null : LoginBindings.canonicalParameterName(name);
    }

    private static String normalizePrefix(String prefix) {
        String p = prefix.strip();
        return p.startsWith("/") ? p : "/" + p;
    }

    /**
     * Path-boundary match: /a/b allows /a/b and /a/b/..., never /a/bc. A prefix ending in * matches any name
     * starting with what precedes the * (e.g. /aws/reference/secretsmanager/rds!cluster-*). Case-sensitive,
     * as SSM names are.
     */
    static boolean underPrefix(String canonicalName, String prefix) {
        return LoginBindings.underPrefix(canonicalName, prefix);
    }

    /** Whether a host may receive a login: any host when allowed is null; else exact names or *.domain. */
    public static boolean hostAllowed(String host, Collection<String> allowed) {
        return allowed == null || allowed.stream().anyMatch(entry -> LoginBindings.hostMatches(host, entry));
    }

    /** Whether SslMode may be used under these allowed modes (null: the default, verify-full only). */
    public static boolean sslModeAllowed(String sslMode, Collection<String> allowed) {
        String mode = sslMode == null ? TlsSettings.DEFAULT_MODE : sslMode;
        return (allowed == null || allowed.isEmpty() ? DEFAULT_SSL_MODES : allowed).contains(mode);
    }

    /** Exact ARN, or an entry ending in * as a prefix of the ARN. */
    public static boolean roleAllowed(String roleArn, Collection<String> allowed) {
        if (roleArn == null || allowed == null) {
            return false;
        }
        for (String entry : allowed) {
            if (entry.endsWith("*") ? roleArn.startsWith(entry.substring(0, entry.length() - 1)) : roleArn.equals(entry)) {
                return true;
            }
        }
        return false;
    }

    private static String pemProblem(String pem) {
        try {
            BundledCaSocketFactory.parsePem(pem);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static List<String> sorted(Collection<String> values) {
        return new ArrayList<>(new TreeSet<>(new LinkedHashSet<>(values)));
    }
}
