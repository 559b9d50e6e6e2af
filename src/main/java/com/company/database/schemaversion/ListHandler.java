package com.company.database.schemaversion;

import com.company.database.schemaversion.aws.SsmRecordStore;
import software.amazon.cloudformation.proxy.Logger;
import software.amazon.cloudformation.proxy.OperationStatus;
import software.amazon.cloudformation.proxy.ProgressEvent;
import software.amazon.cloudformation.proxy.ResourceHandlerRequest;

import java.util.List;

/** List: every resource of this type in the account and region, from the records, ten per page. */
public class ListHandler extends BaseHandlerStd {

    /** Lambda's: what the generated wrapper builds. */
    public ListHandler() {
        this(HandlerEnvironment.lambda());
    }

    public ListHandler(HandlerEnvironment environment) {
        super(environment);
    }

    @Override
    protected ProgressEvent<ResourceModel, CallbackContext> handle(ResourceHandlerRequest<ResourceModel> request,
                                                                   CallbackContext ctx, Services services, Logger logger) {
        SsmRecordStore.Page<ResourceModel> page = services.records().list(request.getNextToken(),
                json -> Translator.fromRecord(json).map(Translator.Record::model).orElse(null));
        List<ResourceModel> models = page.values();
        return ProgressEvent.<ResourceModel, CallbackContext>builder()
                .status(OperationStatus.SUCCESS)
                .resourceModels(models)
                .nextToken(page.nextToken())
                .build();
    }
}
