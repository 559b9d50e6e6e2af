// This is a generated file. Modifications will be overwritten.
package com.company.database.schemaversion;

import software.amazon.cloudformation.proxy.AmazonWebServicesClientProxy;
import software.amazon.cloudformation.proxy.Logger;
import software.amazon.cloudformation.proxy.ProgressEvent;
import software.amazon.cloudformation.proxy.ResourceHandlerRequest;

public abstract class BaseHandler<CallbackT, ConfigurationT> {

    public abstract ProgressEvent<ResourceModel, CallbackT> handleRequest(
        final AmazonWebServicesClientProxy proxy,
        final ResourceHandlerRequest<ResourceModel> request,
        final CallbackT callbackContext,
        final Logger logger,
        final ConfigurationT typeConfiguration);

}
