package com.company.database.schemaversion.policy;

import com.company.database.schemaversion.CloudControlPolicy;
import com.company.database.schemaversion.ResourceModel;
import com.company.database.schemaversion.Translator;
import com.company.database.schemaversion.TypeConfigurationModel;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import software.amazon.cloudformation.proxy.ResourceHandlerRequest;

/**
 * What a request that names no stack may make the type do. CloudFormation sends the stack id with every stack
 * operation; Cloud Control (and cfn test) send none, and nothing else in the request tells one such caller from
 * another: whoever may call cloudformation:CreateResource, UpdateResource, DeleteResource or GetResource on the
 * type (often every template author, through cloudformation:*) is the same party to the type. So the admin
 * decides (type configuration CloudControl.*):
 *
 * <ul>
 *   <li>{@code Changes}: {@value #NO_CHANGES} (default), no Create, Update or Delete without a stack; or
 *       {@value #RESOURCES_WITHOUT_STACK}, create resources and change those that no stack owns. Even then an
 *       Update cannot switch OnDelete to Clean: the caller cannot be told from the one who created the resource
 *       with Retain.</li>
 *   <li>{@code ReadStackResources}: {@value #FROM_RECORD} (default), a read of a stack's resource answers the
 *       properties the stack recorded and reaches no database, login or runner; or {@value #LIVE}.</li>
 * </ul>
 *
 * A stack's resource is never changed without its stack (BaseHandlerStd.ownedRecord answers NotFound).
 */
public final class CloudControlAccess {
    static final String NO_CHANGES = "None";
    static final String RESOURCES_WITHOUT_STACK = "ResourcesWithoutStack";
    static final String FROM_RECORD = "FromRecord";
    static final String LIVE = "Live";
    static final String CHANGES_SETTING = "CloudControl.Changes";
    static final String READS_SETTING = "CloudControl.ReadStackResources";
    private static final String HOW_TO_CHANGE = "the account admin changes it with aws cloudformation"
            + " set-type-configuration --type RESOURCE --type-name Company::Database::SchemaVersion";

    private final boolean changes;
    private final boolean liveStackReads;

    private CloudControlAccess(CloudControlPolicy policy) {
        changes = policy != null && RESOURCES_WITHOUT_STACK.equals(policy.getChanges());
        liveStackReads = policy != null && LIVE.equals(policy.getReadStackResources());
    }

    static CloudControlAccess of(TypeConfigurationModel typeConfiguration) {
        return new CloudControlAccess(typeConfiguration == null ? null : typeConfiguration.getCloudControl());
    }

    static boolean stackless(ResourceHandlerRequest<ResourceModel> request) {
        return request.getStackId() == null;
    }

    /** A Create, Update or Delete: refused without a stack unless the admin allows changes. */
    public void checkChange(ResourceHandlerRequest<ResourceModel> request, String action) {
        if (stackless(request) && !changes) {
            throw new ReconcileException(Reason.INVALID_INPUT, action + " without a stack (a Cloud Control request)"
                    + " is not allowed in this account (type configuration " + CHANGES_SETTING + ": " + NO_CHANGES
                    + ", the default): every Cloud Control caller could change every resource made that way. Deploy the"
                    + " resource with a CloudFormation stack, or " + HOW_TO_CHANGE + " (" + RESOURCES_WITHOUT_STACK
                    + "). Nothing was changed.");
        }
    }

    /**
     * An Update without a stack cannot switch OnDelete to Clean: any Cloud Control caller may update the resource,
     * so one could arm the deletion of a schema another created with Retain. Create it with Clean instead.
     */
    public void checkUpdate(ResourceHandlerRequest<ResourceModel> request, ResourceModel desired, ResourceModel recorded) {
        checkChange(request, "Update");
        if (stackless(request) && Translator.cleansOnDelete(desired) && !Translator.cleansOnDelete(recorded)) {
            throw new ReconcileException(Reason.INVALID_INPUT, "OnDelete cannot be switched to Clean by an Update without"
                    + " a stack (a Cloud Control request): any Cloud Control caller may update this resource, so the"
                    + " switch would let one delete the data of a resource another created with Retain. Create the"
                    + " resource with OnDelete: Clean, or manage it with a CloudFormation stack. Nothing was changed.");
        }
    }

    /**
     * Whether a Read answers from the record alone: a request without a stack reading a resource it may not change
     * (one a stack owns, or any while the admin allows no changes), unless the admin chose live reads of stack
     * resources.
     */
    public boolean readsFromRecord(ResourceHandlerRequest<ResourceModel> request, Translator.Record record) {
        if (!stackless(request)) {
            return false;
        }
        boolean stackOwned = record.owner() != null && record.owner().stackId() != null;
        return stackOwned ? !liveStackReads : !changes;
    }
}
