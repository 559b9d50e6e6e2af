package com.company.database.schemaversion.aws;

import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.DeleteParameterRequest;
import software.amazon.awssdk.services.ssm.model.GetParameterRequest;
import software.amazon.awssdk.services.ssm.model.GetParametersByPathRequest;
import software.amazon.awssdk.services.ssm.model.GetParametersByPathResponse;
import software.amazon.awssdk.services.ssm.model.Parameter;
import software.amazon.awssdk.services.ssm.model.ParameterAlreadyExistsException;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterTier;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.PutParameterRequest;
import software.amazon.cloudformation.proxy.Logger;
import software.amazon.cloudformation.proxy.ProxyClient;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * One SSM String parameter per resource, named by its Id under a fixed prefix, holding the resource's
 * non-secret desired properties and its owner. It is what Read and List find from the primary identifier
 * alone (as Cloud Control calls them), and creating it without overwrite is the atomic ownership claim.
 * With the account's record key ({@link RecordIntegrity}) every value it writes is signed for the SSM version
 * the write produces and every value it reads must verify at the version SSM reports: Read, Update and Delete
 * refuse a record changed outside the type (an older value put back included), and List skips it.
 */
public final class SsmRecordStore {
    public static final String PREFIX = "/company-database-schemaversion/resources";
    private static final int MAX_WRITES = 3;
    /** How an operator recovers a record the type refuses, since its MAC names the SSM version it was written at. */
    private static final String RECOVER = "Putting an earlier value back does not help (each write is a new SSM"
            + " version, which the MAC names); to recover, remove the resource from the stack with DeletionPolicy"
            + " Retain, delete the parameter, and add the resource again (its Create takes the schema over as it is).";
    private final ProxyClient<SsmClient> ssm;
    private final RecordIntegrity integrity;
    private final Logger logger;
    /** The SSM version of each record as this request last read or wrote it. */
    private final Map<String, Long> versions = new HashMap<>();

    public SsmRecordStore(ProxyClient<SsmClient> ssm, RecordIntegrity integrity, Logger logger) {
        this.ssm = ssm;
        this.integrity = integrity;
        this.logger = logger;
    }

    public record Page<T>(List<T> values, String nextToken) {
    }

    public static String nameOf(String id) {
        return PREFIX + "/" + id;
    }

    /**
     * The record of {@code id}, empty when there is none. A record that does not verify against the record key
     * is refused (InternalFailure) rather than reported missing: NotFound would let CloudFormation drop the
     * resource from the stack as if deleted, and nothing about the database may be trusted from that record.
     */
    public Optional<String> get(String id) {
        Parameter parameter;
        try {
            parameter = ssm.injectCredentialsAndInvokeV2(GetParameterRequest.builder().name(nameOf(id)).build(),
                    ssm.client()::getParameter).parameter();
        } catch (ParameterNotFoundException e) {
            return Optional.empty();
        } catch (RuntimeException e) {
            throw SsmErrors.translate(e, "read the resource record " + nameOf(id));
        }
        RecordIntegrity.Opened opened = integrity.open(nameOf(id), version(parameter), parameter.value());
        if (!opened.ok()) {
            throw refused(nameOf(id), opened);
        }
        versions.put(id, version(parameter));
        return Optional.of(opened.record());
    }

    static ReconcileException refused(String parameter, RecordIntegrity.Opened opened) {
        String remedy = opened.remedy() != null ? opened.remedy() : "Find out who wrote the parameter (CloudTrail"
                + " PutParameter, DeleteParameter). " + RECOVER;
        return new ReconcileException(Reason.INTERNAL, "The resource record " + parameter + " was changed outside"
                + " Company::Database::SchemaVersion: " + opened.refusal() + ". The type will not act on it and has"
                + " touched nothing. " + remedy);
    }

    private static long version(Parameter parameter) {
        return parameter.version() == null ? 0 : parameter.version();
    }

    /** Claims the Id: fails with ALREADY_OWNED when a record exists. */
    public void create(String id, String value) {
        put(id, value, false);
    }

    public void replace(String id, String value) {
        put(id, value, true);
    }

    public boolean delete(String id) {
        try {
            ssm.injectCredentialsAndInvokeV2(DeleteParameterRequest.builder().name(nameOf(id)).build(),
                    ssm.client()::deleteParameter);
            return true;
        } catch (ParameterNotFoundException e) {
            return false;
        } catch (RuntimeException e) {
            throw SsmErrors.translate(e, "delete the resource record " + nameOf(id));
        }
    }

    /**
     * One page of records, each turned into a value by {@code reader}. A record that does not verify, or that
     * the reader cannot read (throws or answers null), is skipped with a log line naming the parameter: one
     * stray or rewritten parameter must not hide every other resource from List.
     */
    public <T> Page<T> list(String nextToken, Function<String, T> reader) {
        GetParametersByPathResponse page;
        try {
            page = ssm.injectCredentialsAndInvokeV2(GetParametersByPathRequest.builder()
                            .path(PREFIX).recursive(false).maxResults(10).nextToken(nextToken).build(),
                    ssm.client()::getParametersByPath);
        } catch (RuntimeException e) {
            throw SsmErrors.translate(e, "list the resource records under " + PREFIX);
        }
        List<T> values = new ArrayList<>();
        for (Parameter parameter : page.parameters()) {
            RecordIntegrity.Opened record = integrity.open(parameter.name(), version(parameter), parameter.value());
            if (!record.ok()) {
                logger.log("List skipped " + parameter.name() + ": changed outside the type (" + record.refusal() + ").");
                continue;
            }
            T value;
            try {
                value = reader.apply(record.record());
            } catch (RuntimeException e) {
                value = null;
            }
            if (value == null) {
                // The exception's message may quote the value; the parameter's name is enough to find it.
                logger.log("List skipped " + parameter.name() + ": not a resource record this type can read.");
                continue;
            }
            values.add(value);
        }
        return new Page<>(values, page.nextToken());
    }

    /**
     * Writes the record signed for the version the write produces: 1 for a claim, the current one plus one for
     * an overwrite. When SSM answers with another version, someone else wrote the parameter in between, and the
     * value just written would be refused: it is written again for the version after theirs (it is this
     * request's own value, so writing it again is safe), a few times at most, then the request fails and the
     * record stays refused until an operator looks (fail safe).
     */
    private void put(String id, String value, boolean overwrite) {
        long expected = overwrite ? currentVersion(id) + 1 : 1;
        for (int attempt = 1; ; attempt++) {
            long written = putOnce(id, integrity.seal(nameOf(id), expected, value), overwrite);
            versions.put(id, written);
            if (written == expected || !integrity.signs()) {
                return;
            }
            if (attempt == MAX_WRITES) {
                throw new ReconcileException(Reason.INTERNAL, "Someone else kept writing the resource record " + nameOf(id)
                        + " while the type wrote it (SSM answered version " + written + ", not " + expected + "), so the"
                        + " record as it stands will be refused. Find out who writes the parameter (CloudTrail"
                        + " PutParameter) and stop them. " + RECOVER);
            }
            expected = written + 1;
            overwrite = true;
        }
    }

    /** The parameter's current version: as this request last read or wrote it, else as SSM says now (0: none). */
    private long currentVersion(String id) {
        Long known = versions.get(id);
        if (known != null) {
            return known;
        }
        try {
            return version(ssm.injectCredentialsAndInvokeV2(GetParameterRequest.builder().name(nameOf(id)).build(),
                    ssm.client()::getParameter).parameter());
        } catch (ParameterNotFoundException e) {
            return 0;
        } catch (RuntimeException e) {
            throw SsmErrors.translate(e, "read the resource record " + nameOf(id));
        }
    }

    private long putOnce(String id, String stored, boolean overwrite) {
        try {
            Long version = ssm.injectCredentialsAndInvokeV2(PutParameterRequest.builder()
                    .name(nameOf(id))
                    .value(stored)
                    .type(ParameterType.STRING)
                    .tier(ParameterTier.INTELLIGENT_TIERING)
                    .description("Company::Database::SchemaVersion resource record (do not edit)")
                    .overwrite(overwrite)
                    .build(), ssm.client()::putParameter).version();
            return version == null ? 0 : version;
        } catch (ParameterAlreadyExistsException e) {
            throw new ReconcileException(Reason.ALREADY_OWNED, "Resource " + id + " already exists: another"
                    + " Company::Database::SchemaVersion resource manages this database schema (record " + nameOf(id)
                    + "). One resource per database schema; import or remove the other one first.", e);
        } catch (RuntimeException e) {
            throw SsmErrors.translate(e, "write the resource record " + nameOf(id));
        }
    }
}
