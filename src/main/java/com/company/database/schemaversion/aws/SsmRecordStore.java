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
import software.amazon.cloudformation.proxy.ProxyClient;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One SSM String parameter per resource, named by its Id under a fixed prefix, holding the resource's
 * non-secret desired properties and its owner. It is what Read and List find from the primary identifier
 * alone (as Cloud Control calls them), and creating it without overwrite is the atomic ownership claim.
 */
public final class SsmRecordStore {
    public static final String PREFIX = "/company-database-schemaversion/resources";
    private final ProxyClient<SsmClient> ssm;

    public SsmRecordStore(ProxyClient<SsmClient> ssm) {
        this.ssm = ssm;
    }

    public record Page(List<String> values, String nextToken) {
    }

    public static String nameOf(String id) {
        return PREFIX + "/" + id;
    }

    public Optional<String> get(String id) {
        try {
            return Optional.of(ssm.injectCredentialsAndInvokeV2(GetParameterRequest.builder().name(nameOf(id)).build(),
                    ssm.client()::getParameter).parameter().value());
        } catch (ParameterNotFoundException e) {
            return Optional.empty();
        } catch (RuntimeException e) {
            throw SsmErrors.translate(e, "read the resource record " + nameOf(id));
        }
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

    public Page list(String nextToken) {
        try {
            GetParametersByPathResponse page = ssm.injectCredentialsAndInvokeV2(GetParametersByPathRequest.builder()
                            .path(PREFIX).recursive(false).maxResults(10).nextToken(nextToken).build(),
                    ssm.client()::getParametersByPath);
            return new Page(page.parameters().stream().map(Parameter::value).collect(Collectors.toList()), page.nextToken());
        } catch (RuntimeException e) {
            throw SsmErrors.translate(e, "list the resource records under " + PREFIX);
        }
    }

    private void put(String id, String value, boolean overwrite) {
        try {
            ssm.injectCredentialsAndInvokeV2(PutParameterRequest.builder()
                    .name(nameOf(id))
                    .value(value)
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
