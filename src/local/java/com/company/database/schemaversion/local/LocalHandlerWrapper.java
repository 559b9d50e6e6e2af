package com.company.database.schemaversion.local;

import com.company.database.schemaversion.BaseHandlerStd;
import com.company.database.schemaversion.CallbackContext;
import com.company.database.schemaversion.HandlerEntrypoint;
import com.company.database.schemaversion.HandlerEnvironment;
import com.company.database.schemaversion.HandlerWrapper;
import com.company.database.schemaversion.ResourceModel;
import com.company.database.schemaversion.TypeConfigurationModel;
import software.amazon.cloudformation.Action;
import software.amazon.cloudformation.proxy.AmazonWebServicesClientProxy;
import software.amazon.cloudformation.proxy.ProgressEvent;
import software.amazon.cloudformation.proxy.ResourceHandlerRequest;

import java.util.Map;

/**
 * The entrypoint Lambda runs (the generated wrapper, whole: request parsing, schema validation, credentials, the
 * answer; see HandlerEntrypoint), with handlers built for another environment than Lambda's: a migration folder
 * instead of the baked sets, another clock, other call windows. The generated class builds its handlers itself, so only the dispatch is replaced, and it logs as the
 * generated one does.
 */
public final class LocalHandlerWrapper extends HandlerEntrypoint {
    private final Map<Action, BaseHandlerStd> handlers;

    public LocalHandlerWrapper(HandlerEnvironment environment) {
        this.handlers = BaseHandlerStd.handlers(environment);
    }

    /** The entrypoint for Lambda's environment, this one for any other. */
    public static HandlerWrapper forEnvironment(HandlerEnvironment environment) {
        return environment.equals(HandlerEnvironment.LAMBDA) ? new HandlerEntrypoint() : new LocalHandlerWrapper(environment);
    }

    @Override
    public ProgressEvent<ResourceModel, CallbackContext> invokeHandler(AmazonWebServicesClientProxy proxy,
                                                                       ResourceHandlerRequest<ResourceModel> request,
                                                                       Action action, CallbackContext callbackContext,
                                                                       TypeConfigurationModel typeConfiguration) {
        BaseHandlerStd handler = handlers.get(action);
        if (handler == null) {
            throw new RuntimeException("Unknown action " + action);
        }
        loggerProxy.log(String.format("[%s] invoking handler...", action));
        ProgressEvent<ResourceModel, CallbackContext> result = handler.handleRequest(proxy, request, callbackContext,
                loggerProxy, typeConfiguration);
        loggerProxy.log(String.format("[%s] handler invoked", action));
        return result;
    }
}
