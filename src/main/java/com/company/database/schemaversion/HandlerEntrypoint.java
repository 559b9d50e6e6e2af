package com.company.database.schemaversion;

import com.fasterxml.jackson.core.type.TypeReference;
import software.amazon.cloudformation.Action;
import software.amazon.cloudformation.proxy.AmazonWebServicesClientProxy;
import software.amazon.cloudformation.proxy.HandlerRequest;
import software.amazon.cloudformation.proxy.ProgressEvent;
import software.amazon.cloudformation.proxy.RequestData;
import software.amazon.cloudformation.proxy.ResourceHandlerRequest;

import java.lang.reflect.Type;
import java.util.Map;

/**
 * What Lambda runs (the entrypoint .rpdk-config and template.yml name): the generated wrapper, whole, with three
 * changes. A subclass rather than an edit, because cfn generate rewrites HandlerWrapper and never the entrypoint
 * names; the wrapper's own schema validation, answer and logging stay as they are.
 *
 * <ul>
 * <li>The handlers: built with one {@link HandlerEnvironment}, which Lambda creates with this entrypoint, once per
 * container, and which holds everything the calls share (AWS clients, warm engines, the runner's code). The local
 * runner and the tests hand in their own. The generated constructor still builds its own handlers; they are
 * never called.</li>
 * <li>The request is read by {@link RequestReader}. The rpdk wrapper parses the request with a parser that quotes
 * up to 500 characters of the raw request in its error messages, and answers a value the model cannot hold (a
 * number past an Integer, a string where a list goes) with that message as InternalFailure, logging it too: the
 * raw request starts with the caller's credentials or the bearer token. Read through RequestReader, such a request
 * is refused as InvalidRequest naming the property, and nothing of the request reaches the answer or the log.</li>
 * <li>{@link #transform}: the generated one also looks up the region's partition for the request's awsPartition,
 * which no handler reads, and the SDK builds the endpoint metadata of every AWS service the first time anything
 * asks for a partition: a cost on every cold start for a value nobody uses.</li>
 * </ul>
 */
public class HandlerEntrypoint extends HandlerWrapper {
    /** Read by the wrapper's constructor, before this class's instance fields exist: a constant. */
    private static final TypeReference<HandlerRequest<ResourceModel, CallbackContext, TypeConfigurationModel>> GUARDED =
            new TypeReference<>() {
                @Override
                public Type getType() {
                    return RequestReader.Guarded.class;
                }
            };

    private final HandlerEnvironment environment;
    private final Map<Action, BaseHandlerStd> handlers;

    /** As Lambda creates it: Lambda's environment, new, for this container. */
    public HandlerEntrypoint() {
        this(HandlerEnvironment.lambda());
    }

    /** For another environment than Lambda's: a migration folder, another clock, call windows, endpoints. */
    public HandlerEntrypoint(HandlerEnvironment environment) {
        this.environment = environment;
        this.handlers = BaseHandlerStd.handlers(environment);
    }

    public HandlerEnvironment environment() {
        return environment;
    }

    @Override
    public ProgressEvent<ResourceModel, CallbackContext> invokeHandler(AmazonWebServicesClientProxy proxy,
                                                                       ResourceHandlerRequest<ResourceModel> request,
                                                                       Action action, CallbackContext callbackContext,
                                                                       TypeConfigurationModel typeConfiguration) {
        BaseHandlerStd handler = handlers.get(action);
        if (handler == null) {
            throw new RuntimeException("Unknown action " + (action == null ? "<null>" : action.toString()));
        }
        loggerProxy.log(String.format("[%s] invoking handler...", action));
        ProgressEvent<ResourceModel, CallbackContext> result = handler.handleRequest(proxy, request, callbackContext,
                loggerProxy, typeConfiguration);
        loggerProxy.log(String.format("[%s] handler invoked", action));
        return result;
    }

    /** The generated transform, less the partition lookup (see the class comment). */
    @Override
    protected ResourceHandlerRequest<ResourceModel> transform(
            HandlerRequest<ResourceModel, CallbackContext, TypeConfigurationModel> request) {
        RequestData<ResourceModel, TypeConfigurationModel> requestData = request.getRequestData();
        return ResourceHandlerRequest.<ResourceModel>builder()
                .clientRequestToken(request.getBearerToken())
                .desiredResourceState(requestData.getResourceProperties())
                .previousResourceState(requestData.getPreviousResourceProperties())
                .desiredResourceTags(getDesiredResourceTags(request))
                .systemTags(requestData.getSystemTags())
                .awsAccountId(request.getAwsAccountId())
                .logicalResourceIdentifier(requestData.getLogicalResourceId())
                .nextToken(request.getNextToken())
                .region(request.getRegion())
                .build();
    }

    @Override
    protected TypeReference<HandlerRequest<ResourceModel, CallbackContext, TypeConfigurationModel>> getTypeReference() {
        return GUARDED;
    }
}
