package com.company.database.schemaversion;

import com.company.database.schemaversion.aws.SsmRecordStore;
import software.amazon.cloudformation.proxy.Logger;
import software.amazon.cloudformation.proxy.OperationStatus;
import software.amazon.cloudformation.proxy.ProgressEvent;
import software.amazon.cloudformation.proxy.ResourceHandlerRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** List: every resource of this type in the account and region, from the records, ten per page. */
public class ListHandler extends BaseHandlerStd {

    @Override
    protected ProgressEvent<ResourceModel, CallbackContext> handle(ResourceHandlerRequest<ResourceModel> request,
                                                                   CallbackContext ctx, Services services, Logger logger) {
        SsmRecordStore.Page page = services.records().list(request.getNextToken());
        List<ResourceModel> models = new ArrayList<>();
        for (String value : page.values()) {
            Optional<Translator.Record> record = Translator.fromRecord(value);
            if (record.isPresent()) {
                models.add(record.get().model());
            } else {
                // A parameter under the records' prefix that no handler wrote must not hide every other resource.
                logger.log("Skipped a parameter under " + SsmRecordStore.PREFIX + " that is not a record this type wrote.");
            }
        }
        return ProgressEvent.<ResourceModel, CallbackContext>builder()
                .status(OperationStatus.SUCCESS)
                .resourceModels(models)
                .nextToken(page.nextToken())
                .build();
    }
}
