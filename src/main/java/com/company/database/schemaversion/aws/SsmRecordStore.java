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
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * One SSM String parameter per resource, named by its Id under a fixed prefix, holding the resource's
 * non-secret desired properties and its owner. It is what Read and List find from the primary identifier
 * alone (as Cloud Control calls them), and creating it without overwrite is the atomic ownership claim.
 * With the account's record key ({@link RecordIntegrity}) every value it writes is signed and every value it
 * reads must verify: Read, Update and Delete refuse a record changed outside the type, and List skips it.
 */
public final class SsmRecordStore {
    public static final String PREFIX = "/company-database-schemaversion/resources";
    private final ProxyClient<SsmClient> ssm;
    private final RecordIntegrity integrity;
    private final Logger logger;

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
        String stored;
        try {
            stored = ssm.injectCredentialsAndInvokeV2(GetParameterRequest.builder().name(nameOf(id)).build(),
                    ssm.client()::getParameter).parameter().value();
        } catch (ParameterNotFoundException e) {
            return Optional.empty();
        } catch (RuntimeException e) {
            throw SsmErrors.translate(e, "read the resource record " + nameOf(id));
        }
        return Optional.of(integrity.open(nameOf(id), stored).orElseThrow(() -> tampered(nameOf(id))));
    }

    static ReconcileException tampered(String parameter) {
        return new ReconcileException(Reason.INTERNAL, "The resource record " + parameter + " was changed outside"
                + " Company::Database::SchemaVersion: its integrity MAC does not verify with the type configuration's"
                + " Records.IntegrityKeyArn, so the type will not act on it and has touched nothing. Find out who wrote"
                + " the parameter (CloudTrail PutParameter); restore its last value the type wrote (SSM parameter history)"
                + " or remove the resource from the stack.");
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
            Optional<String> record = integrity.open(parameter.name(), parameter.value());
            if (record.isEmpty()) {
                logger.log("List skipped " + parameter.name() + ": changed outside the type (its integrity MAC does not verify).");
                continue;
            }
            T value;
            try {
                value = reader.apply(record.get());
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

    private void put(String id, String value, boolean overwrite) {
        try {
            ssm.injectCredentialsAndInvokeV2(PutParameterRequest.builder()
                    .name(nameOf(id))
                    .value(integrity.seal(nameOf(id), value))
                    .type(ParameterType.STRING)
                    .tier(ParameterTier.INTELLIGENT_TIERING)
                    .description("Company::Database::SchemaVersion resource record (do not edit)")
                    .overwrite(overwrite)
                    .build(), ssm.client()::putParameter);
        } catch (ParameterAlreadyExistsException e) {
            throw new ReconcileException(Reason.ALREADY_OWNED, "Resource " + id + " already exists: another"
                    + " Company::Database::SchemaVersion resource manages this database schema (record " + nameOf(id)
                    + "). One resource per database schema; import or remove the other one first.", e);
        } catch (RuntimeException e) {
            throw SsmErrors.translate(e, "write the resource record " + nameOf(id));
        }
    }
}
