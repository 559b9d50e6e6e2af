package com.company.database.schemaversion.local;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.function.Consumer;

/** The Lambda context of one local invocation: the function's name, its time limit and a logger. */
final class LocalContext implements Context {
    private final String functionName;
    private final long deadline;
    private final LambdaLogger logger;

    /** @param deadline when the invocation's time is up, epoch millis */
    LocalContext(String functionName, long deadline, Consumer<String> sink) {
        this.functionName = functionName;
        this.deadline = deadline;
        this.logger = new LambdaLogger() {
            @Override
            public void log(String message) {
                sink.accept(message);
            }

            @Override
            public void log(byte[] message) {
                sink.accept(new String(message, StandardCharsets.UTF_8));
            }
        };
    }

    @Override public String getAwsRequestId() { return UUID.randomUUID().toString(); }
    @Override public String getLogGroupName() { return "/aws/lambda/" + functionName; }
    @Override public String getLogStreamName() { return "local"; }
    @Override public String getFunctionName() { return functionName; }
    @Override public String getFunctionVersion() { return "$LATEST"; }
    @Override public String getInvokedFunctionArn() { return "arn:aws:lambda:us-east-1:123456789012:function:" + functionName; }
    @Override public CognitoIdentity getIdentity() { return null; }
    @Override public ClientContext getClientContext() { return null; }
    @Override public int getRemainingTimeInMillis() { return (int) Math.max(0, deadline - System.currentTimeMillis()); }
    @Override public int getMemoryLimitInMB() { return 1024; }
    @Override public LambdaLogger getLogger() { return logger; }
}
