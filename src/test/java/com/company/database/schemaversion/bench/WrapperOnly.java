package com.company.database.schemaversion.bench;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.company.database.schemaversion.CallbackContext;
import com.company.database.schemaversion.HandlerEntrypoint;
import com.company.database.schemaversion.HandlerWrapper;
import com.company.database.schemaversion.ResourceModel;
import com.company.database.schemaversion.TypeConfigurationModel;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import software.amazon.cloudformation.Action;
import software.amazon.cloudformation.proxy.AmazonWebServicesClientProxy;
import software.amazon.cloudformation.proxy.ProgressEvent;
import software.amazon.cloudformation.proxy.ResourceHandlerRequest;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;

/**
 * The cold-start probe's floor mode (-Dcoldread.wrapperOnly=true), in a class of its own so that the probe's
 * normal run does not load the wrapper's classes early (the benchmark's breakdown starts the wrapper's phase
 * at the first of them).
 */
final class WrapperOnly {
    private WrapperOnly() {
    }

    /**
     * The floor of a cold Read that is not ours: the same request through the entrypoint (the generated wrapper), whose handler
     * answers SUCCESS at once with the model it was given. What remains is the JVM, the probe, the rpdk wrapper
     * (its static HTTP client and trust store, request parsing, partition lookup) and the answer (the schema
     * load that strips the model, serialisation); the full probe minus this one is what our handler costs.
     */
    static JsonNode invoke(JsonNode request) throws Exception {
        HandlerWrapper wrapper = new HandlerEntrypoint() {
            @Override
            public ProgressEvent<ResourceModel, CallbackContext> invokeHandler(AmazonWebServicesClientProxy proxy,
                    ResourceHandlerRequest<ResourceModel> handlerRequest, Action action, CallbackContext callbackContext,
                    TypeConfigurationModel typeConfiguration) {
                return ProgressEvent.success(handlerRequest.getDesiredResourceState(), null);
            }
        };
        ObjectMapper json = new ObjectMapper();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        wrapper.handleRequest(new ByteArrayInputStream(json.writeValueAsBytes(request)), out, new FloorContext());
        return json.readTree(out.toByteArray());
    }

    /** A Lambda context with a minute left and a logger that drops what it is given. */
    private static final class FloorContext implements Context {
        private final long deadline = System.currentTimeMillis() + 60_000;

        @Override public String getAwsRequestId() { return "cold-read"; }
        @Override public String getLogGroupName() { return "local"; }
        @Override public String getLogStreamName() { return "local"; }
        @Override public String getFunctionName() { return "TypeFunction"; }
        @Override public String getFunctionVersion() { return "$LATEST"; }
        @Override public String getInvokedFunctionArn() { return "arn:aws:lambda:us-east-1:123456789012:function:TypeFunction"; }
        @Override public CognitoIdentity getIdentity() { return null; }
        @Override public ClientContext getClientContext() { return null; }
        @Override public int getRemainingTimeInMillis() { return (int) Math.max(0, deadline - System.currentTimeMillis()); }
        @Override public int getMemoryLimitInMB() { return 1024; }

        @Override
        public LambdaLogger getLogger() {
            return new LambdaLogger() {
                @Override
                public void log(String message) {
                }

                @Override
                public void log(byte[] message) {
                }
            };
        }
    }

}
