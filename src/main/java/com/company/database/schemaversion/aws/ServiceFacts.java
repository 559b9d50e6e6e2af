package com.company.database.schemaversion.aws;

import com.company.database.schemaversion.core.Fact;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;

import java.io.IOException;

/** How an AWS call ended, as a fact: by the SDK's exception types and the service's error code, never its words. */
final class ServiceFacts {
    private ServiceFacts() {
    }

    static String code(AwsServiceException e) {
        return e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null ? "" : e.awsErrorDetails().errorCode();
    }

    static Fact.Service answered(String service, AwsServiceException e, Fact.ServiceCondition condition) {
        return new Fact.Service(service, condition, code(e), e.statusCode());
    }

    /**
     * The service was not reached: the SDK gave up on the network (an I/O failure, a timeout of the call or of an
     * attempt). Other client-side failures (a configuration, credentials that cannot be found) are not worth waiting.
     */
    static boolean unreachable(SdkClientException e) {
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
            return true;
        }
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    static Fact.Service notReached(String service) {
        return new Fact.Service(service, Fact.ServiceCondition.UNREACHABLE, null, 0);
    }
}
