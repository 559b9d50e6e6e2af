package com.company.database.schemaversion;

import com.company.database.schemaversion.engine.Login;
import com.company.database.schemaversion.aws.SsmLogins;
import com.company.database.schemaversion.core.Digests;
import com.company.database.schemaversion.core.Observation;
import com.company.database.schemaversion.core.Version;
import com.company.database.schemaversion.engine.ConnectionSpec;
import com.company.database.schemaversion.engine.EngineSettings;
import com.company.database.schemaversion.engine.MigrationSource;
import com.company.database.schemaversion.policy.AccountPolicy;
import com.company.database.schemaversion.runner.LambdaRunnerPackage;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import software.amazon.cloudformation.proxy.ResourceHandlerRequest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Optional;

/**
 * The one place where the CloudFormation model meets the engine's and the record's shapes; the local runner's
 * plan translates through it too, so it plans exactly what the handlers would run.
 */
public final class Translator {
    public static final int DEFAULT_PORT = 5432;
    public static final String DEFAULT_SCHEMA = "public";
    private static final ObjectMapper JSON = new ObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Translator() {
    }

    /**
     * The Id: database.schema.hash(host:port/database/schema). Deterministic, so a second resource for the
     * same database schema collides with the first one's record (AlreadyExists) and Update without Id still
     * finds its record.
     */
    public static String idOf(ResourceModel m) {
        Database d = m.getDatabase();
        return com.company.database.schemaversion.core.Claimant.resourceIdOf(d.getHost(), port(m), d.getName(), schema(m));
    }

    public static int port(ResourceModel m) {
        return m.getDatabase().getPort() == null ? DEFAULT_PORT : m.getDatabase().getPort();
    }

    public static String schema(ResourceModel m) {
        return m.getSchema() == null ? DEFAULT_SCHEMA : m.getSchema();
    }

    /**
     * The connection for a login read from the model's Credentials. The policy is asked here, where the login is
     * about to leave, whatever path led here (a record written before the admin tightened it included).
     */
    public static ConnectionSpec connection(ResourceModel m, Login login, AccountPolicy policy) {
        Database d = m.getDatabase();
        policy.checkConnection(d.getHost(), d.getSslMode());
        Credentials c = m.getCredentials();
        policy.checkLoginBinding(c.getUsernameParameter(), c.getPasswordParameter(), c.getSecretParameter(),
                c.getIamUsername(), d.getHost(), d.getName(), d.getSslMode());
        boolean iam = c.getIamUsername() != null;
        return new ConnectionSpec(d.getHost(), port(m), d.getName(), d.getSslMode(), login.username(), login.password(),
                policy.extraCaCertificates(), iam ? describeIam(c.getIamUsername(), "the type's execution role")
                : SsmLogins.describe(c.getUsernameParameter(), c.getPasswordParameter(), c.getSecretParameter()), iam);
    }

    /** Where an IAM database login comes from, as messages name it. */
    static String describeIam(String user, String signer) {
        return "the IAM database login of user " + user + " (Credentials.IamUsername, a token signed by " + signer + ")";
    }

    /** Refuses (InvalidRequest) placeholder values that could change a statement: see PlaceholderValues. */
    public static EngineSettings engineSettings(ResourceModel m, HandlerEnvironment environment) {
        MigrationSource source = environment.migrationsFor(m.getMigrationSet());
        Timeouts t = m.getTimeouts();
        int lock = t == null || t.getLockTimeoutSeconds() == null ? 10 : t.getLockTimeoutSeconds();
        int statement = t == null || t.getStatementTimeoutSeconds() == null ? 40 : t.getStatementTimeoutSeconds();
        return new EngineSettings(schema(m), source, m.getPlaceholders(), lock, statement);
    }

    static int connectWaitMinutes(ResourceModel m) {
        Timeouts t = m.getTimeouts();
        return t == null || t.getConnectWaitMinutes() == null ? 10 : t.getConnectWaitMinutes();
    }

    public static boolean cleansOnDelete(ResourceModel m) {
        return "Clean".equals(m.getOnDelete());
    }

    /** The desired properties only: what the record keeps and Read/List echo. */
    static ResourceModel desired(ResourceModel m) {
        return m.toBuilder()
                .appliedVersion(null).resolvedTargetVersion(null).appliedCount(null).pendingCount(null)
                .checksum(null).lastAppliedAt(null).driftStatus(null).driftDetails(null)
                .build();
    }

    /** The desired properties plus what the database says now. */
    public static ResourceModel withStatus(ResourceModel m, Observation o, Version resolvedTarget) {
        return m.toBuilder()
                .appliedVersion(o.appliedVersion() == null ? "none" : o.appliedVersion().toString())
                .resolvedTargetVersion(resolvedTarget == null ? null : resolvedTarget.toString())
                .appliedCount(o.appliedCount())
                .pendingCount(o.pending().size())
                .checksum(o.checksum())
                .lastAppliedAt(o.lastAppliedAt() == null ? null : o.lastAppliedAt().toString())
                .driftStatus(o.drift().isEmpty() && o.failed().isEmpty() ? "InSync" : "Drifted")
                .driftDetails(o.drift().isEmpty() && o.failed().isEmpty() ? null
                        : String.join("; ", o.failed()) + (o.failed().isEmpty() || o.drift().isEmpty() ? "" : "; ")
                                + String.join("; ", o.drift()))
                .build();
    }

    /** @param runnerCode the runner code the handler uploaded for this resource (VpcRunner mode), or null */
    static String toRecord(ResourceModel m, Owner owner, LambdaRunnerPackage runnerCode) {
        try {
            return JSON.writeValueAsString(new Record(desired(m), owner,
                    runnerCode == null ? null : runnerCode.codeSha256(), runnerCode == null ? null : runnerCode.extraCaDigest()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The record a stored value holds; empty for a value no handler of this type wrote (junk, or hand-made). */
    static Optional<Record> fromRecord(String json) {
        try {
            Record r = JSON.readValue(json, Record.class);
            return r == null || r.model() == null || r.model().getDatabase() == null ? Optional.empty() : Optional.of(r);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * A resource record: the desired model of the last operation that succeeded, who owns the resource, and (in
     * VpcRunner mode) the CodeSha256 of the runner code the handler uploaded then. The last lets a Read after a
     * new type version was registered trust the runner an earlier version uploaded, from a place only the
     * execution role writes (integrity-protected with the record key), not from the function itself.
     * runnerExtraCa: the digest of the Connections.ExtraCaCertificates that code carries (absent for none).
     */
    public record Record(ResourceModel model, Owner owner, String runnerCode, String runnerExtraCa) {
    }

    /**
     * Who owns a resource: the stack and logical id that created it (both null for a resource created through
     * Cloud Control, which names no stack), and a digest of the creating request's token, by which a retry of
     * that very Create knows its own claim. The token itself is a request secret and is never stored.
     */
    public record Owner(String stackId, String logicalResourceId, String createRequest) {
        static Owner of(ResourceHandlerRequest<ResourceModel> request) {
            return new Owner(request.getStackId(), request.getLogicalResourceIdentifier(),
                    request.getClientRequestToken() == null ? null : sha256(request.getClientRequestToken()));
        }

        /** The request comes from the stack that owns the resource (or, for both, from no stack). */
        boolean ownedBy(ResourceHandlerRequest<ResourceModel> request) {
            return Objects.equals(stackId, request.getStackId());
        }

        /** The request is the Create that claimed the resource (a retry of it carries the same token). */
        boolean createdBy(ResourceHandlerRequest<ResourceModel> request) {
            return createRequest != null && request.getClientRequestToken() != null
                    && createRequest.equals(sha256(request.getClientRequestToken())) && ownedBy(request);
        }
    }

    private static String sha256(String text) {
        return Digests.sha256Hex(text);
    }
}
